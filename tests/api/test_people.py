"""The people list and detail: authentication required (403 for anonymous users, as in
Patchwork), fields, linked users, search, ordering, per_page limits, query counts."""

import pytest

from people.models import Person
from tests.api.conftest import (
    API_VERSIONS,
    api_path,
    count_queries,
    get_valid,
    ids_of,
    schema_fields,
)
from tests.api.schema import validate_response
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_QUERIES = 2  # count, page with the users joined


@pytest.fixture
def client(client_as, user):
    return client_as(user)


def test_anonymous_list_is_forbidden(api_client, version):
    PersonFactory()
    response = api_client.get(api_path("api-person-list", version))
    assert response.status_code == 403
    validate_response(response)


def test_anonymous_detail_is_forbidden(api_client):
    person = PersonFactory()
    response = api_client.get(api_path("api-person-detail", pk=person.pk))
    assert response.status_code == 403
    assert "detail" in response.json()


def test_list_fields(client, user, version):
    """Exactly the Person fields; ``user`` embedded when linked, null otherwise."""
    unlinked = PersonFactory(name="Unlinked")
    linked = PersonFactory(email=user.email, user=user)
    response = get_valid(client, api_path("api-person-list", version))
    by_id = {item["id"]: item for item in response.json()}
    assert set(by_id[unlinked.pk]) == schema_fields("Person", version)
    assert by_id[unlinked.pk]["user"] is None
    assert by_id[unlinked.pk]["name"] == "Unlinked"
    assert by_id[linked.pk]["user"]["id"] == user.pk
    assert set(by_id[linked.pk]["user"]) == schema_fields("UserEmbedded", version)


def test_nameless_person_is_named_by_address(client):
    """Strict clients need a string: a person without a name shows the address."""
    person = PersonFactory(name=None, email="anon@example.org")
    response = get_valid(client, api_path("api-person-detail", pk=person.pk))
    assert response.json()["name"] == "anon@example.org"


def test_detail(client, version):
    person = PersonFactory()
    response = get_valid(client, api_path("api-person-detail", version, pk=person.pk))
    assert response.json()["email"] == person.email
    assert response.json()["url"].endswith(f"/people/{person.pk}/")


def test_detail_unknown_is_404(client):
    response = client.get(api_path("api-person-detail", pk=999999))
    assert response.status_code == 404
    validate_response(response)


def test_search_by_name_or_email(client):
    alice = PersonFactory(name="Alice Liddell", email="alice@example.org")
    bob = PersonFactory(name="Bob", email="bob@wonderland.example")
    assert ids_of(get_valid(client, api_path("api-person-list"), {"q": "alice"})) == [alice.pk]
    assert ids_of(get_valid(client, api_path("api-person-list"), {"q": "wonderland"})) == [bob.pk]


@pytest.mark.parametrize(
    ("order", "expected"),
    [("id", ["b", "a"]), ("-id", ["a", "b"]), ("name", ["a", "b"]), ("-email", ["a", "b"])],
)
def test_ordering(client, order, expected):
    PersonFactory(name="b", email="1@example.org")
    PersonFactory(name="a", email="2@example.org")
    response = get_valid(client, api_path("api-person-list"), {"order": order})
    assert [item["name"] for item in response.json()] == expected


def test_per_page_is_capped_at_250(client):
    Person.objects.bulk_create(
        Person(name=f"P{number}", email=f"p{number}@example.org") for number in range(251)
    )
    response = get_valid(client, api_path("api-person-list"), {"per_page": 1000})
    assert len(response.json()) == 250
    assert response["X-Total-Count"] == "251"
    assert 'rel="next"' in response["Link"]


def test_default_page_is_30(client):
    Person.objects.bulk_create(
        Person(name=f"P{number}", email=f"p{number}@example.org") for number in range(31)
    )
    response = get_valid(client, api_path("api-person-list"))
    assert len(response.json()) == 30


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_not_allowed(client_as, superuser, method):
    person = PersonFactory()
    client = client_as(superuser)
    path = (
        api_path("api-person-list")
        if method == "post"
        else api_path("api-person-detail", pk=person.pk)
    )
    response = getattr(client, method)(path, {"email": "new@example.org"})
    assert response.status_code == 405


def test_list_query_count_is_constant(client):
    users = UserFactory.create_batch(3)
    for linked_user in users:
        PersonFactory(email=linked_user.email, user=linked_user)
    assert count_queries(client, api_path("api-person-list")) == LIST_QUERIES
    PersonFactory.create_batch(97, user=users[0])
    assert count_queries(client, api_path("api-person-list") + "?per_page=100") == (LIST_QUERIES)


@pytest.mark.parametrize("version", API_VERSIONS)
def test_browsable_api(client, version):
    person = PersonFactory()
    for path in (
        api_path("api-person-list", version),
        api_path("api-person-detail", version, pk=person.pk),
    ):
        response = client.get(path, {"format": "api"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
