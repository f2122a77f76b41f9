"""Bundles: visibility (public, or private to their owner), filters, ordering, query
counts, the browsable API, and the writes of API 1.2+ (owner only)."""

import datetime

import pytest
from django.urls import reverse

from bundles.models import Bundle, BundlePatch
from patches.models import Patch
from tests.api.schema import validate_response
from tests.factories import BundleFactory, PatchFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", None]
WRITABLE_VERSIONS = ["1.2", "1.3", "1.4", None]


def list_url(version: str | None = None) -> str:
    return reverse("api-bundle-list", kwargs={"version": version} if version else {})


def detail_url(bundle_id: int, version: str | None = None) -> str:
    kwargs = {"pk": bundle_id}
    if version:
        kwargs["version"] = version
    return reverse("api-bundle-detail", kwargs=kwargs)


def listed_ids(client, params: dict | None = None, version: str | None = None) -> list[int]:
    response = client.get(list_url(version), params or {})
    assert response.status_code == 200, response.content
    validate_response(response)
    return [bundle["id"] for bundle in response.json()]


def bundle_patch_ids(bundle: Bundle) -> list[int]:
    return list(
        BundlePatch.objects.filter(bundle=bundle).order_by("order").values_list("patch", flat=True)
    )


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def project():
    return ProjectFactory(linkname="myproject")


@pytest.fixture
def patches(project):
    return PatchFactory.create_batch(3, project=project)


@pytest.fixture
def public_bundle(owner, project, patches):
    return BundleFactory(owner=owner, project=project, public=True, name="pub", patches=patches)


@pytest.fixture
def private_bundle(owner, project, patches):
    return BundleFactory(
        owner=owner, project=project, public=False, name="priv", patches=patches[:1]
    )


# Reading


@pytest.mark.parametrize("version", VERSIONS)
def test_list_anonymous_sees_public_bundles_only(
    api_client, public_bundle, private_bundle, version
):
    assert listed_ids(api_client, version=version) == [public_bundle.pk]


@pytest.mark.parametrize("version", VERSIONS)
def test_list_owner_sees_own_private_bundles(
    api_client, owner, public_bundle, private_bundle, version
):
    BundleFactory(public=False)  # someone else's
    api_client.force_authenticate(user=owner)
    assert listed_ids(api_client, version=version) == [public_bundle.pk, private_bundle.pk]


@pytest.mark.parametrize(("version", "has_web_url"), [(v, v != "1.0") for v in VERSIONS])
def test_fields_per_version(api_client, public_bundle, patches, version, has_web_url):
    for url in (list_url(version), detail_url(public_bundle.pk, version)):
        response = api_client.get(url)
        validate_response(response)
        shown = response.json()
        shown = shown[0] if isinstance(shown, list) else shown
        assert ("web_url" in shown) == has_web_url
        assert shown["name"] == "pub"
        assert shown["public"] is True
        assert shown["owner"]["username"] == "owner"
        assert shown["project"]["link_name"] == "myproject"
        assert [patch["id"] for patch in shown["patches"]] == [patch.pk for patch in patches]


def test_links(api_client, public_bundle):
    shown = api_client.get(detail_url(public_bundle.pk)).json()
    assert shown["url"] == f"http://testserver/api/bundles/{public_bundle.pk}/"
    assert shown["web_url"] == "http://testserver/bundle/owner/pub/"
    assert shown["mbox"] == "http://testserver/bundle/owner/pub/mbox/"


def test_patches_listed_by_patch_date_whatever_the_bundle_order(api_client, owner, project):
    """As Patchwork: a bundle's ``patches`` are ordered by patch date in the API (the
    bundle's own order is kept in the database and its mbox)."""
    first, second, third = PatchFactory.create_batch(3, project=project)
    Patch.objects.filter(pk=first.pk).update(date=third.date + datetime.timedelta(hours=1))
    bundle = BundleFactory(
        owner=owner, project=project, public=True, patches=[third, first, second]
    )
    shown = api_client.get(detail_url(bundle.pk)).json()
    assert [patch["id"] for patch in shown["patches"]] == [second.pk, third.pk, first.pk]
    listed = api_client.get(list_url()).json()
    assert [patch["id"] for patch in listed[0]["patches"]] == [second.pk, third.pk, first.pk]
    assert bundle_patch_ids(bundle) == [third.pk, first.pk, second.pk]


def test_detail_private_is_hidden_from_others(api_client, private_bundle):
    response = api_client.get(detail_url(private_bundle.pk))
    assert response.status_code == 404
    validate_response(response)
    api_client.force_authenticate(user=UserFactory())
    assert api_client.get(detail_url(private_bundle.pk)).status_code == 404


def test_detail_private_shown_to_owner(api_client, owner, private_bundle):
    api_client.force_authenticate(user=owner)
    response = api_client.get(detail_url(private_bundle.pk))
    assert response.status_code == 200
    validate_response(response)


@pytest.mark.parametrize("path", ["/api/bundles/999999/", "/api/1.2/bundles/99999999999999999999"])
def test_detail_unknown(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_detail_without_slash(api_client, public_bundle):
    assert api_client.get(f"/api/1.2/bundles/{public_bundle.pk}").status_code == 200


def test_filter_project(api_client, public_bundle):
    other = BundleFactory(public=True)
    assert listed_ids(api_client, {"project": "myproject"}) == [public_bundle.pk]
    assert listed_ids(api_client, {"project": public_bundle.project_id}) == [public_bundle.pk]
    assert listed_ids(api_client, {"project": "invalidproject"}) == []
    assert listed_ids(api_client, {"project": ["myproject", other.project.linkname]}) == [
        public_bundle.pk,
        other.pk,
    ]


def test_filter_owner(api_client, owner, public_bundle, private_bundle):
    BundleFactory(public=True)
    api_client.force_authenticate(user=owner)
    both = [public_bundle.pk, private_bundle.pk]
    assert listed_ids(api_client, {"owner": owner.pk}) == both
    assert listed_ids(api_client, {"owner": "owner"}) == both
    assert listed_ids(api_client, {"owner": "OWNER"}) == both
    assert listed_ids(api_client, {"owner": "otheruser"}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", ["pub"]),
        ("True", ["pub"]),
        ("false", ["priv"]),
        ("False", ["priv"]),
        ("maybe", ["pub", "priv"]),
    ],
)
def test_filter_public(api_client, owner, public_bundle, private_bundle, value, expected):
    """``true``/``false`` in any case; any other value is ignored, as Patchwork."""
    api_client.force_authenticate(user=owner)
    names = {public_bundle.pk: "pub", private_bundle.pk: "priv"}
    assert [names[pk] for pk in listed_ids(api_client, {"public": value})] == expected


def test_filter_search(api_client, owner, project):
    wanted = BundleFactory(owner=owner, project=project, public=True, name="net-fixes")
    BundleFactory(owner=owner, project=project, public=True, name="mm-stuff")
    assert listed_ids(api_client, {"q": "FIX"}) == [wanted.pk]


@pytest.mark.parametrize(
    ("order", "expected"),
    [("id", ["b", "a", "c"]), ("-id", ["c", "a", "b"]), ("name", ["a", "b", "c"])],
)
def test_ordering(api_client, owner, project, order, expected):
    for name in ("b", "a", "c"):
        BundleFactory(owner=owner, project=project, public=True, name=name)
    shown = api_client.get(list_url(), {"order": order}).json()
    assert [bundle["name"] for bundle in shown] == expected


def test_pagination(api_client, owner, project):
    BundleFactory.create_batch(3, owner=owner, project=project, public=True)
    response = api_client.get(list_url(), {"per_page": 1, "page": 3})
    validate_response(response)
    assert response["X-Total-Count"] == "3"
    assert 'rel="prev"' in response["Link"]
    assert 'rel="next"' not in response["Link"]


@pytest.mark.parametrize("count", [3, 100])
def test_list_query_count_is_constant(
    api_client, django_assert_num_queries, owner, project, count
):
    """Count, page and one prefetch of every bundle's patches."""
    patches = PatchFactory.create_batch(3, project=project)
    BundleFactory.create_batch(count, owner=owner, project=project, public=True, patches=patches)
    with django_assert_num_queries(3):
        response = api_client.get(list_url(), {"per_page": 250})
    assert len(response.json()) == count


# Writing


def test_create(api_client, owner, patches):
    api_client.force_authenticate(user=owner)
    body = {"name": "new-bundle", "public": True, "patches": [patches[2].pk, patches[0].pk]}
    response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 201, response.content
    validate_response(response)
    bundle = Bundle.objects.get(name="new-bundle")
    assert bundle.owner == owner
    assert bundle.project_id == patches[0].project_id
    assert bundle.public is True
    assert bundle_patch_ids(bundle) == [patches[2].pk, patches[0].pk]
    assert response.json()["id"] == bundle.pk
    # the answer lists them by date, as Patchwork
    assert [patch["id"] for patch in response.json()["patches"]] == [patches[0].pk, patches[2].pk]


@pytest.mark.parametrize("version", WRITABLE_VERSIONS)
def test_create_form_encoded_with_repeated_patches(api_client, owner, patches, version):
    """git-pw and b4 send forms: ``patches`` repeated, booleans as ``True``."""
    api_client.force_authenticate(user=owner)
    body = {"name": "form-bundle", "public": "True", "patches": [p.pk for p in patches]}
    response = api_client.post(list_url(version), body)
    assert response.status_code == 201, response.content
    validate_response(response)
    bundle = Bundle.objects.get(name="form-bundle")
    assert bundle.public is True
    assert bundle_patch_ids(bundle) == [p.pk for p in patches]


def test_create_without_slash(api_client, owner, patches):
    """A POST cannot follow a redirect: the slashless URL is served directly."""
    api_client.force_authenticate(user=owner)
    body = {"name": "noslash", "patches": [patches[0].pk]}
    response = api_client.post("/api/1.2/bundles", body, format="json")
    assert response.status_code == 201
    assert Bundle.objects.get(name="noslash").public is False


def test_create_repeated_patch_counts_once(api_client, owner, patches):
    api_client.force_authenticate(user=owner)
    body = {"name": "dups", "patches": [patches[0].pk, patches[1].pk, patches[0].pk]}
    response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 201
    assert bundle_patch_ids(Bundle.objects.get(name="dups")) == [patches[0].pk, patches[1].pk]


def test_create_anonymous_is_forbidden(api_client, patches):
    body = {"name": "anon", "patches": [patches[0].pk]}
    response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 403
    validate_response(response)
    assert not Bundle.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "empty", "patches": []}, "patches"),
        ({"name": "nopatches"}, "patches"),
        ({"name": "str", "patches": "1"}, "patches"),
        ({"name": "bad", "patches": ["abc"]}, "patches"),
        ({"name": "unknown", "patches": [999999]}, "patches"),
        ({"name": "huge", "patches": [99999999999999999999]}, "patches"),
        ({"name": "obj", "patches": [{"id": 1}]}, "patches"),
        ({"patches": "PATCHES"}, "name"),
        ({"name": "", "patches": "PATCHES"}, "name"),
        ({"name": "x" * 51, "patches": "PATCHES"}, "name"),
        ({"name": "a/b", "patches": "PATCHES"}, "name"),
        ({"name": "nul\x00name", "patches": "PATCHES"}, "name"),
        ({"name": "nulpatch", "patches": ["1\x00"]}, "patches"),
        ({"name": "badpublic", "public": "maybe", "patches": "PATCHES"}, "public"),
    ],
)
def test_create_invalid(api_client, owner, patches, body, field):
    api_client.force_authenticate(user=owner)
    if body.get("patches") == "PATCHES":
        body = {**body, "patches": [patches[0].pk]}
    response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 400, response.content
    validate_response(response)
    assert field in response.json()
    assert not Bundle.objects.exists()


def test_create_patches_of_several_projects(api_client, owner, patches):
    api_client.force_authenticate(user=owner)
    elsewhere = PatchFactory()
    body = {"name": "mixed", "patches": [patches[0].pk, elsewhere.pk]}
    response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 400
    validate_response(response)
    assert response.json() == {"patches": ["Bundle patches must belong to the same project"]}
    assert not Bundle.objects.exists()


def test_create_duplicate_name(api_client, owner, public_bundle, patches):
    api_client.force_authenticate(user=owner)
    body = {"name": "pub", "patches": [patches[0].pk]}
    response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 400
    validate_response(response)
    assert "name" in response.json()
    assert Bundle.objects.count() == 1


def test_same_name_for_another_owner(api_client, public_bundle, patches):
    api_client.force_authenticate(user=UserFactory())
    response = api_client.post(
        list_url(), {"name": "pub", "patches": [patches[0].pk]}, format="json"
    )
    assert response.status_code == 201


def test_create_malformed_json(api_client, owner):
    api_client.force_authenticate(user=owner)
    response = api_client.post(list_url(), "{nope", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_update(api_client, owner, project, patches):
    bundle = BundleFactory(owner=owner, project=project, name="old", patches=patches[:1])
    api_client.force_authenticate(user=owner)
    body = {"name": "hello-bundle", "patches": [patches[2].pk, patches[1].pk]}
    response = api_client.patch(detail_url(bundle.pk), body, format="json")
    assert response.status_code == 200, response.content
    validate_response(response)
    assert response.json()["name"] == "hello-bundle"
    assert response.json()["public"] is False
    # the answer lists them by date, as Patchwork
    assert [patch["id"] for patch in response.json()["patches"]] == [patches[1].pk, patches[2].pk]
    bundle.refresh_from_db()
    assert bundle.name == "hello-bundle"
    assert bundle_patch_ids(bundle) == [patches[2].pk, patches[1].pk]


def test_update_name_only_keeps_patches(api_client, owner, private_bundle, patches):
    api_client.force_authenticate(user=owner)
    response = api_client.patch(
        detail_url(private_bundle.pk), {"name": "renamed", "public": True}, format="json"
    )
    assert response.status_code == 200
    private_bundle.refresh_from_db()
    assert (private_bundle.name, private_bundle.public) == ("renamed", True)
    assert bundle_patch_ids(private_bundle) == [patches[0].pk]


def test_update_moves_bundle_to_the_patches_project(api_client, owner, private_bundle):
    """As in Patchwork, the bundle's project is the project of its (new) patches."""
    elsewhere = PatchFactory()
    api_client.force_authenticate(user=owner)
    response = api_client.patch(
        detail_url(private_bundle.pk), {"patches": [elsewhere.pk]}, format="json"
    )
    assert response.status_code == 200
    private_bundle.refresh_from_db()
    assert private_bundle.project_id == elsewhere.project_id


def test_put_replaces(api_client, owner, private_bundle, patches):
    api_client.force_authenticate(user=owner)
    body = {"name": "put", "patches": [patches[1].pk], "public": True}
    response = api_client.put(detail_url(private_bundle.pk), body, format="json")
    assert response.status_code == 200
    validate_response(response)
    private_bundle.refresh_from_db()
    assert (private_bundle.name, private_bundle.public) == ("put", True)
    assert bundle_patch_ids(private_bundle) == [patches[1].pk]


def test_put_needs_name_and_patches(api_client, owner, private_bundle):
    api_client.force_authenticate(user=owner)
    response = api_client.put(detail_url(private_bundle.pk), {"public": True}, format="json")
    assert response.status_code == 400
    validate_response(response)
    assert {"name", "patches"} <= response.json().keys()


def test_update_to_a_taken_name(api_client, owner, public_bundle, private_bundle):
    api_client.force_authenticate(user=owner)
    response = api_client.patch(detail_url(private_bundle.pk), {"name": "pub"}, format="json")
    assert response.status_code == 400
    validate_response(response)
    assert "name" in response.json()
    private_bundle.refresh_from_db()
    assert private_bundle.name == "priv"


def test_update_patches_of_several_projects(api_client, owner, private_bundle, patches):
    api_client.force_authenticate(user=owner)
    body = {"patches": [patches[0].pk, PatchFactory().pk]}
    response = api_client.patch(detail_url(private_bundle.pk), body, format="json")
    assert response.status_code == 400
    assert bundle_patch_ids(private_bundle) == [patches[0].pk]


def test_update_anonymous_private_is_not_found(api_client, private_bundle):
    response = api_client.patch(detail_url(private_bundle.pk), {"name": "x"}, format="json")
    assert response.status_code == 404
    validate_response(response)


def test_update_anonymous_public_is_forbidden(api_client, public_bundle):
    response = api_client.patch(detail_url(public_bundle.pk), {"name": "x"}, format="json")
    assert response.status_code == 403
    validate_response(response)


def test_update_by_non_owner(api_client, public_bundle, private_bundle):
    api_client.force_authenticate(user=UserFactory(is_superuser=True))
    response = api_client.patch(detail_url(public_bundle.pk), {"name": "x"}, format="json")
    assert response.status_code == 403
    validate_response(response)
    response = api_client.patch(detail_url(private_bundle.pk), {"name": "x"}, format="json")
    assert response.status_code == 404
    public_bundle.refresh_from_db()
    assert public_bundle.name == "pub"


def test_delete(api_client, owner, private_bundle, patches):
    api_client.force_authenticate(user=owner)
    response = api_client.delete(detail_url(private_bundle.pk))
    assert response.status_code == 204
    assert not Bundle.objects.exists()
    assert not BundlePatch.objects.exists()
    assert len(patches) == type(patches[0]).objects.count()


def test_delete_by_others(api_client, public_bundle, private_bundle):
    assert api_client.delete(detail_url(private_bundle.pk)).status_code == 404
    assert api_client.delete(detail_url(public_bundle.pk)).status_code == 403
    api_client.force_authenticate(user=UserFactory())
    assert api_client.delete(detail_url(public_bundle.pk)).status_code == 403
    assert Bundle.objects.count() == 2


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_writes_not_allowed_before_1_2(api_client, owner, public_bundle, patches, version):
    api_client.force_authenticate(user=owner)
    body = {"name": "test", "patches": [patches[0].pk]}
    assert api_client.post(list_url(version), body, format="json").status_code == 405
    response = api_client.patch(detail_url(public_bundle.pk, version), body, format="json")
    assert response.status_code == 405
    assert "detail" in response.json()
    assert api_client.delete(detail_url(public_bundle.pk, version)).status_code == 405
    assert Bundle.objects.count() == 1


def test_write_query_count(api_client, django_assert_max_num_queries, owner, project):
    """Creating a bundle of 50 patches looks them up in one query and inserts them in one."""
    patches = PatchFactory.create_batch(50, project=project)
    api_client.force_authenticate(user=owner)
    body = {"name": "big", "patches": [patch.pk for patch in patches]}
    with django_assert_max_num_queries(12):
        response = api_client.post(list_url(), body, format="json")
    assert response.status_code == 201
    assert len(response.json()["patches"]) == 50


# Browsable API


@pytest.mark.parametrize("version", VERSIONS)
def test_browsable_api(api_client, owner, public_bundle, version):
    api_client.force_authenticate(user=owner)
    for url in (list_url(version), detail_url(public_bundle.pk, version)):
        response = api_client.get(url, {"format": "api"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "pub" in response.content.decode()


def test_browsable_api_forms_do_not_list_every_patch(
    api_client, django_assert_max_num_queries, owner, public_bundle, project
):
    """The forms show a text input for patches, not a choice of every patch."""
    PatchFactory.create_batch(30, project=project, name="unlisted patch")
    api_client.force_authenticate(user=owner)
    with django_assert_max_num_queries(12):
        response = api_client.get(list_url(), {"format": "api"})
    html = response.content.decode()
    assert 'name="patches"' in html
    assert "unlisted patch" not in html
    with django_assert_max_num_queries(12):
        response = api_client.get(detail_url(public_bundle.pk), {"format": "api"})
    assert response.status_code == 200
    assert "unlisted patch" not in response.content.decode()


ODD_VALUES = ["\x00", "a\x00b", "99999999999999999999", "-1", "١٢", "%", "'", "<>", " "]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_filter_values_never_fail(api_client, public_bundle, value):
    """Odd values (NUL characters, huge or non-ASCII numbers, quotes) filter, or match
    nothing: never a server error."""
    for parameter in ("project", "owner", "public", "q", "order"):
        response = api_client.get(list_url(), {parameter: value})
        assert response.status_code == 200, (parameter, response.content)
        validate_response(response)


@pytest.mark.parametrize("version", VERSIONS)
def test_options(api_client, owner, public_bundle, version):
    api_client.force_authenticate(user=owner)
    for url in (list_url(version), detail_url(public_bundle.pk, version)):
        response = api_client.options(url)
        assert response.status_code == 200
        assert response.json()["name"]
