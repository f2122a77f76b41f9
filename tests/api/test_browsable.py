"""The browsable API's HTML forms: a patch's PUT form sent back unchanged keeps its
relation and delegate (it used to fail on ``related``, or drop the relation once the box
was cleared), the delegate is chosen by username, and the Filters dialog offers every
filter of the endpoint."""

from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from patches.models import PatchRelation
from tests.factories import PatchFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(project, maintainer):
    relation = PatchRelation.objects.create()
    patch = PatchFactory(project=project, related=relation, delegate=maintainer)
    other = PatchFactory(project=project, related=relation)
    client = APIClient()
    client.force_authenticate(maintainer)
    return patch, other, client


def form_value(html: str, name: str) -> str:
    field = html.split(f'name="{name}"', 1)[1].split(">", 1)[0]
    return field.split('value="', 1)[1].split('"', 1)[0]


def test_the_put_form_shows_related_ids_and_the_delegate_username(setting, maintainer):
    patch, other, client = setting
    html = client.get(f"/api/patches/{patch.id}/", {"format": "api"}).content.decode()
    assert form_value(html, "related") == str(other.id)
    assert form_value(html, "delegate") == maintainer.username


def test_the_form_sent_back_unchanged_keeps_the_relation(setting, maintainer):
    patch, other, client = setting
    data = {
        "state": "under-review",
        "delegate": maintainer.username,
        "commit_ref": "",
        "related": str(other.id),
    }
    response = client.put(
        f"/api/patches/{patch.id}/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    patch.refresh_from_db()
    assert patch.related_id is not None
    assert patch.delegate == maintainer
    assert patch.state.slug == "under-review"
    assert [item["id"] for item in response.json()["related"]] == [other.id]


def test_a_form_without_the_related_box_leaves_the_relation(setting):
    patch, _other, client = setting
    response = client.patch(
        f"/api/patches/{patch.id}/",
        urlencode({"state": "rfc"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    patch.refresh_from_db()
    assert patch.related_id is not None


def test_delegate_by_username(setting, project):
    patch, _other, client = setting
    colleague = UserFactory(username="colleague")
    project.maintainers.add(colleague)
    response = client.patch(f"/api/patches/{patch.id}/", {"delegate": "colleague"}, format="json")
    assert response.status_code == 200
    assert response.json()["delegate"]["username"] == "colleague"
    response = client.patch(f"/api/patches/{patch.id}/", {"delegate": "nobody"}, format="json")
    assert response.status_code == 400
    assert "delegate" in response.json()


@pytest.mark.parametrize("name", ["project", "series", "submitter", "delegate", "state", "q"])
def test_the_filters_dialog_offers_every_patch_filter(api_client, project, name):
    PatchFactory(project=project)
    html = api_client.get("/api/patches/", {"format": "api"}).content.decode()
    dialog = html.split('id="filtersModal"', 1)[1]
    assert f'type="text" name="{name}"' in dialog


def test_repeated_filter_values_still_all_apply(api_client, project):
    first = PatchFactory(project=project)
    second = PatchFactory(project=project, state_id=3)
    response = api_client.get("/api/patches/", {"state": ["new", "accepted"]})
    assert {item["id"] for item in response.json()} == {first.id, second.id}


def test_a_signed_in_page_logs_out_with_a_form_button_and_no_inline_handler(maintainer):
    """DRF's logout link submits its form from an inline ``onclick``, which the
    Content-Security-Policy blocks: ours is a form whose own button posts the logout."""
    client = APIClient()
    client.force_login(maintainer)
    html = client.get("/api/", {"format": "api"}).content.decode()
    assert "onclick" not in html
    form = html.split('action="/api-auth/logout/', 1)[1].split("</form>", 1)[0]
    assert 'type="submit"' in form
    assert "csrfmiddlewaretoken" in form
    response = client.post("/api-auth/logout/?next=/api/", {})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
