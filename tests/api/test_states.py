"""``/api/states/``: an extra of the unversioned API listing patch states; pinned
versions do not have it."""

import pytest

from patches.models import State
from tests.api.conftest import API_VERSIONS, api_path, count_queries
from tests.api.unrouted import assert_unrouted_404

pytestmark = pytest.mark.django_db


def test_lists_every_state_in_order(api_client):
    """The default states with their stable ids (bots hard-code them)."""
    response = api_client.get(api_path("api-state-list"))
    assert response.status_code == 200
    states = response.json()
    assert [state["id"] for state in states] == list(
        State.objects.order_by("ordering").values_list("id", flat=True)
    )
    assert states[0] == {
        "id": 1,
        "name": "New",
        "slug": "new",
        "ordering": 0,
        "action_required": True,
    }
    assert response["X-Total-Count"] == str(State.objects.count())


def test_new_states_are_listed(api_client):
    State.objects.create(name="Queued", slug="queued", ordering=100, action_required=False)
    slugs = [state["slug"] for state in api_client.get(api_path("api-state-list")).json()]
    assert slugs[-1] == "queued"


def test_without_trailing_slash(api_client):
    assert api_client.get("/api/states").status_code == 200


@pytest.mark.parametrize("version", [version for version in API_VERSIONS if version])
def test_not_in_pinned_versions(api_client, version):
    """Patchwork has no such resource: versioned URLs answer as unrouted (HTML 404)."""
    assert_unrouted_404(api_client.get(f"/api/{version}/states/"))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only(client_as, superuser, method):
    response = getattr(client_as(superuser), method)(
        api_path("api-state-list"), {"name": "X", "slug": "x", "ordering": 50}
    )
    assert response.status_code == 405
    assert not State.objects.filter(slug="x").exists()


def test_query_count(api_client):
    assert count_queries(api_client, api_path("api-state-list")) == 2


def test_browsable_api(api_client):
    response = api_client.get(api_path("api-state-list"), {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
