"""Bundle pages: the owner renames, shares, reorders, trims and deletes; others only read
public bundles; the lists of one's bundles."""

import pytest

from bundles.models import Bundle, BundlePatch
from downloads import links
from tests.factories import BundleFactory, PatchFactory
from tests.web.conftest import flash_messages, listed_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def patches(project):
    return PatchFactory.create_batch(3, project=project)


@pytest.fixture
def bundle(people, project, patches):
    return BundleFactory(owner=people.maintainer, project=project, name="mine", patches=patches)


def url(bundle) -> str:
    return links.bundle_web_url(None, bundle.owner.username, bundle.name)


def order_of(bundle) -> list[int]:
    return list(
        BundlePatch.objects.filter(bundle=bundle)
        .order_by("order")
        .values_list("patch_id", flat=True)
    )


@pytest.mark.parametrize("role", [None, "outsider", "superuser"])
def test_others_neither_see_a_private_bundle_nor_change_it(client_as, bundle, role):
    client = client_as(role)
    assert client.get(url(bundle)).status_code == 404
    assert client.post(url(bundle), {"action": "delete"}).status_code == 404
    assert Bundle.objects.filter(pk=bundle.pk).exists()


def test_others_read_a_public_bundle_but_cannot_change_it(client_as, bundle):
    bundle.public = True
    bundle.save()
    client = client_as("outsider")
    page = client.get(url(bundle))
    assert page.status_code == 200
    assert 'name="position:' not in page.content.decode()
    assert client.post(url(bundle), {"action": "delete"}).status_code == 403
    assert Bundle.objects.filter(pk=bundle.pk).exists()


def test_owner_reorders(client_as, bundle, patches):
    client = client_as("maintainer")
    data = {
        "action": "reorder",
        f"position:{patches[0].id}": "3",
        f"position:{patches[1].id}": "1",
        f"position:{patches[2].id}": "2",
    }
    response = client.post(url(bundle), data, follow=True)
    assert "Bundle order saved." in flash_messages(response)
    expected = [patches[1].id, patches[2].id, patches[0].id]
    assert order_of(bundle) == expected
    assert listed_ids(response) == expected


def test_reorder_must_name_every_patch(client_as, bundle, patches):
    data = {"action": "reorder", f"position:{patches[0].id}": "3"}
    response = client_as("maintainer").post(url(bundle), data, follow=True)
    assert any("every patch" in text for text in flash_messages(response))
    assert order_of(bundle) == [patch.id for patch in patches]


def test_owner_removes_patches(client_as, bundle, patches):
    data = {"action": "remove", "patch_id": [patches[0].id, patches[2].id]}
    response = client_as("maintainer").post(url(bundle), data, follow=True)
    assert "2 patch(es) removed from the bundle." in flash_messages(response)
    assert order_of(bundle) == [patches[1].id]


def test_owner_renames_and_shares(client_as, bundle):
    client = client_as("maintainer")
    response = client.post(url(bundle), {"action": "update", "name": "shared", "public": "on"})
    assert response.status_code == 302
    bundle.refresh_from_db()
    assert (bundle.name, bundle.public) == ("shared", True)
    assert response["Location"] == url(bundle)
    anonymous = client_as(None)
    assert anonymous.get(url(bundle)).status_code == 200


def test_rename_refuses_slashes(client_as, bundle):
    response = client_as("maintainer").post(url(bundle), {"action": "update", "name": "a/b"})
    assert response.status_code == 200
    assert "Bundle names can&#x27;t contain slashes." in response.content.decode()


def test_owner_deletes(client_as, bundle):
    response = client_as("maintainer").post(url(bundle), {"action": "delete"})
    assert response["Location"] == "/user/bundles/"
    assert not Bundle.objects.filter(pk=bundle.pk).exists()


def test_my_bundles_lists_and_deletes(client_as, bundle, people, project):
    other = BundleFactory(owner=people.outsider, project=project, public=True, name="theirs")
    client = client_as("maintainer")
    html = client.get("/user/bundles/").content.decode()
    assert ">mine</a>" in html
    assert "theirs" not in html
    project_page = client.get(f"/project/{project.linkname}/bundles/").content.decode()
    assert "theirs" in project_page  # public bundles of others in the project
    client_as("outsider").post("/user/bundles/", {"bundle_id": str(bundle.pk)})
    assert Bundle.objects.filter(pk=bundle.pk).exists()  # not theirs to delete
    client.post("/user/bundles/", {"bundle_id": str(bundle.pk)})
    assert not Bundle.objects.filter(pk=bundle.pk).exists()
    assert Bundle.objects.filter(pk=other.pk).exists()


def test_bundle_lists_need_login(client, project):
    assert client.get("/user/bundles/").status_code == 302
    assert client.get(f"/project/{project.linkname}/bundles/").status_code == 302
