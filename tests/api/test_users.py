"""The user list and detail: authentication required, ``settings`` (1.2) for oneself only,
updates of one's own account and their refusals, search, ordering, query counts."""

import pytest

from people.models import UserProfile
from tests.api.conftest import (
    API_VERSIONS,
    api_path,
    count_queries,
    get_valid,
    ids_of,
    schema_fields,
    versions_before,
    versions_from,
)
from tests.api.schema import validate_response
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_QUERIES = 2  # count, page


def test_anonymous_list_is_forbidden(api_client, user, version):
    response = api_client.get(api_path("api-user-list", version))
    assert response.status_code == 403
    assert "detail" in response.json()


def test_anonymous_detail_is_forbidden(api_client, user, version):
    response = api_client.get(api_path("api-user-detail", version, pk=user.pk))
    assert response.status_code == 403
    validate_response(response)


def test_list_fields(client_as, user, version):
    response = get_valid(client_as(user), api_path("api-user-list", version))
    [item] = response.json()
    assert set(item) == schema_fields("User", version)
    assert item["username"] == user.username
    assert "password" not in item


def test_unknown_parameters_are_ignored(client_as, user):
    """git-pw sends ``project`` to /users/."""
    response = get_valid(client_as(user), api_path("api-user-list"), {"project": "linux"})
    assert ids_of(response) == [user.pk]


@pytest.mark.parametrize("version", versions_from("1.2"))
def test_detail_self_has_settings(client_as, user, version):
    profile = user.profile
    profile.items_per_page = 50
    profile.save()
    response = get_valid(client_as(user), api_path("api-user-detail", version, pk=user.pk))
    assert set(response.json()) == schema_fields("User", version) | {"settings"}
    assert response.json()["settings"] == {
        "send_email": False,
        "items_per_page": 50,
        "show_ids": False,
    }


@pytest.mark.parametrize("version", versions_before("1.2"))
def test_detail_self_before_1_2_has_no_settings(client_as, user, version):
    response = get_valid(client_as(user), api_path("api-user-detail", version, pk=user.pk))
    assert set(response.json()) == schema_fields("User", version)


def test_detail_of_another_user_has_no_settings(client_as, user, version):
    other = UserFactory()
    response = get_valid(client_as(user), api_path("api-user-detail", version, pk=other.pk))
    assert "settings" not in response.json()
    assert response.json()["username"] == other.username


def test_detail_self_without_profile_shows_defaults(client_as, user):
    UserProfile.objects.filter(user=user).delete()
    user.refresh_from_db()
    response = get_valid(client_as(user), api_path("api-user-detail", pk=user.pk))
    assert response.json()["settings"]["items_per_page"] == 100


def test_detail_unknown_is_404(client_as, user):
    response = client_as(user).get(api_path("api-user-detail", pk=999999))
    assert response.status_code == 404
    validate_response(response)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_self(client_as, user, method):
    response = getattr(client_as(user), method)(
        api_path("api-user-detail", pk=user.pk),
        {"first_name": "Tan", "last_name": "Nguyen", "settings": {"send_email": True}},
        format="json",
    )
    assert response.status_code == 200, response.content
    validate_response(response)
    assert response.json()["first_name"] == "Tan"
    assert response.json()["settings"]["send_email"] is True
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Tan", "Nguyen")
    assert UserProfile.objects.get(user=user).send_email is True


def test_update_self_form_encoded(client_as, user):
    response = client_as(user).patch(
        api_path("api-user-detail", "1.2", pk=user.pk),
        {"first_name": "Form", "settings.show_ids": "true", "settings.items_per_page": "25"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    profile = UserProfile.objects.get(user=user)
    assert (profile.show_ids, profile.items_per_page) == (True, 25)
    user.refresh_from_db()
    assert user.first_name == "Form"


def test_update_settings_ignored_before_1_2(client_as, user):
    """API 1.1 has no settings: they are ignored, the names are saved."""
    response = client_as(user).patch(
        api_path("api-user-detail", "1.1", pk=user.pk),
        {"first_name": "Tan", "settings": {"send_email": True}},
        format="json",
    )
    assert response.status_code == 200
    assert "settings" not in response.json()
    assert UserProfile.objects.get(user=user).send_email is False
    user.refresh_from_db()
    assert user.first_name == "Tan"


def test_update_read_only_fields_are_ignored(client_as, user):
    username, email = user.username, user.email
    response = client_as(user).patch(
        api_path("api-user-detail", pk=user.pk),
        {"username": "someone-else", "email": "else@example.org"},
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.username, user.email) == (username, email)


@pytest.mark.parametrize(
    "body",
    [
        {"settings": {"items_per_page": "many"}},
        {"settings": {"send_email": "perhaps"}},
        {"first_name": "x" * 151},
    ],
)
def test_update_invalid_values_are_400(client_as, user, body):
    response = client_as(user).patch(api_path("api-user-detail", pk=user.pk), body, format="json")
    assert response.status_code == 400
    assert UserProfile.objects.get(user=user).send_email is False


def test_update_another_user_is_forbidden(client_as, user):
    other = UserFactory(first_name="Other")
    response = client_as(user).patch(
        api_path("api-user-detail", pk=other.pk), {"first_name": "Tan"}
    )
    assert response.status_code == 403
    validate_response(response)
    other.refresh_from_db()
    assert other.first_name == "Other"


def test_update_anonymous_is_forbidden(api_client, user):
    response = api_client.patch(api_path("api-user-detail", pk=user.pk), {"first_name": "Tan"})
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["post", "delete"])
def test_create_and_delete_not_allowed(client_as, superuser, method):
    client = client_as(superuser)
    path = (
        api_path("api-user-list")
        if method == "post"
        else api_path("api-user-detail", pk=superuser.pk)
    )
    response = getattr(client, method)(path, {"username": "new"})
    assert response.status_code == 405


def test_search(client_as, user):
    target = UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    client = client_as(user)
    assert ids_of(get_valid(client, api_path("api-user-list"), {"q": "jane doe"})) == [target.pk]
    assert ids_of(get_valid(client, api_path("api-user-list"), {"q": "jdoe"})) == [target.pk]


@pytest.mark.parametrize(
    ("order", "expected"),
    [("id", ["b", "a"]), ("-id", ["a", "b"]), ("username", ["a", "b"]), ("email", ["a", "b"])],
)
def test_ordering(client_as, order, expected):
    first = UserFactory(username="b", email="y@example.org")
    UserFactory(username="a", email="x@example.org")
    response = get_valid(client_as(first), api_path("api-user-list"), {"order": order})
    assert [item["username"] for item in response.json()] == expected


def test_list_query_count_is_constant(client_as, user):
    client = client_as(user)
    UserFactory.create_batch(2)
    assert count_queries(client, api_path("api-user-list")) == LIST_QUERIES
    UserFactory.create_batch(97)
    assert count_queries(client, api_path("api-user-list") + "?per_page=100") == LIST_QUERIES


@pytest.mark.parametrize("version", API_VERSIONS)
def test_browsable_api(client_as, user, version):
    client = client_as(user)
    for path in (
        api_path("api-user-list", version),
        api_path("api-user-detail", version, pk=user.pk),
    ):
        response = client.get(path, {"format": "api"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
    assert b"<form" in response.content


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.4", None])
def test_put_without_settings_is_400_and_changes_nothing(client_as, user, version):
    """As Patchwork: ``settings`` is required by PUT (in every version); without it the
    answer is 400 ``{"settings": ["This field is required."]}`` and nothing changes."""
    first_name = user.first_name
    response = client_as(user).put(
        api_path("api-user-detail", version, pk=user.pk), {"first_name": "Put"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"settings": ["This field is required."]}
    user.refresh_from_db()
    assert user.first_name == first_name
