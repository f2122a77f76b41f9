"""The API index of every version: links to each resource list, versioned like the
request; extras (``states``) on the unversioned index only."""

import pytest

from tests.api.conftest import API_VERSIONS, get_valid, schema_fields

pytestmark = pytest.mark.django_db

UNVERSIONED_EXTRAS = {"states"}


def index_path(version: str | None) -> str:
    return f"/api/{version}/" if version else "/api/"


def test_index_links_every_resource(api_client, version):
    data = get_valid(api_client, index_path(version)).json()
    expected = schema_fields("Index", version)
    if version is None:
        expected |= UNVERSIONED_EXTRAS
    assert set(data) == expected
    for name, url in data.items():
        assert url == f"http://testserver{index_path(version)}{name}/"


@pytest.mark.parametrize("version", [version for version in API_VERSIONS if version])
def test_pinned_versions_have_no_extras(api_client, version):
    data = get_valid(api_client, index_path(version)).json()
    assert not UNVERSIONED_EXTRAS & set(data)


@pytest.mark.parametrize("name", ["projects", "patches", "people", "users", "states"])
def test_links_resolve(client_as, user, name):
    client = client_as(user)
    url = client.get("/api/").json()[name]
    assert client.get(url).status_code == 200


def test_unknown_version_is_404(api_client):
    response = api_client.get("/api/0.9/patches/")
    assert response.status_code == 404


def test_browsable_index(api_client, version):
    response = api_client.get(index_path(version), {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
