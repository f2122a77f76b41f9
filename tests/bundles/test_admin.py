"""The Django admin creates, changes and deletes bundles through the bundle services: the
API's rules hold there too (one project, not empty, a name its owner has not used), and
the patches keep the order they are given in."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bundles.models import Bundle
from patches.models import Patch
from tests.factories import BundleFactory, PatchFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "x"))
    return client


def bundle_with_patches(count: int = 2) -> Bundle:
    project = ProjectFactory()
    return BundleFactory(
        project=project, patches=[PatchFactory(project=project) for _ in range(count)]
    )


def ordered_patch_ids(bundle: Bundle) -> list[int]:
    return list(bundle.bundlepatch_set.order_by("order").values_list("patch_id", flat=True))


def test_adding_a_bundle_keeps_the_order_given_and_takes_the_patches_project(admin_client):
    project = ProjectFactory()
    first, second = PatchFactory(project=project), PatchFactory(project=project)
    owner = UserFactory()
    response = admin_client.post(
        reverse("admin:bundles_bundle_add"),
        {"owner": owner.pk, "name": "to-review", "patch_ids": f"{second.pk}, {first.pk}"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bundle = Bundle.objects.get(owner=owner, name="to-review")
    assert (bundle.project, bundle.public) == (project, False)
    assert ordered_patch_ids(bundle) == [second.pk, first.pk]


def test_changing_a_bundle_replaces_its_patches_in_order(admin_client):
    bundle = bundle_with_patches()
    patches = [PatchFactory(project=bundle.project) for _ in range(3)]
    url = reverse("admin:bundles_bundle_change", args=[bundle.pk])
    form = admin_client.get(url).context["adminform"].form
    assert form.initial["patch_ids"] == " ".join(map(str, ordered_patch_ids(bundle)))
    response = admin_client.post(
        url,
        {
            "name": "renamed",
            "public": "on",
            "patch_ids": " ".join(str(p.pk) for p in patches[::-1]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bundle.refresh_from_db()
    assert (bundle.name, bundle.public) == ("renamed", True)
    assert ordered_patch_ids(bundle) == [patch.pk for patch in patches[::-1]]


@pytest.mark.parametrize(
    ("patch_ids", "message"),
    [
        ("", "This field is required."),
        ("12x", "Give patch ids (numbers) only."),
        ("999999", "No patch with id 999999."),
        ("two-projects", "Bundle patches must belong to the same project"),
    ],
)
def test_a_bundle_the_api_would_refuse_is_refused_and_unchanged(admin_client, patch_ids, message):
    bundle = bundle_with_patches()
    before = ordered_patch_ids(bundle)
    if patch_ids == "two-projects":
        patch_ids = f"{PatchFactory(project=bundle.project).pk} {PatchFactory().pk}"
    response = admin_client.post(
        reverse("admin:bundles_bundle_change", args=[bundle.pk]),
        {"name": bundle.name, "patch_ids": patch_ids},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ordered_patch_ids(bundle) == before


def test_a_name_the_owner_has_used_is_refused(admin_client):
    taken = BundleFactory(name="mine")
    patch = PatchFactory(project=taken.project)
    response = admin_client.post(
        reverse("admin:bundles_bundle_add"),
        {"owner": taken.owner.pk, "name": "mine", "patch_ids": str(patch.pk)},
    )
    assert response.status_code == 200
    assert "You already have a bundle called" in response.content.decode()
    assert Bundle.objects.filter(owner=taken.owner).count() == 1


def test_deleting_bundles_keeps_their_patches(admin_client):
    bundle = bundle_with_patches()
    patch_ids = ordered_patch_ids(bundle)
    assert patch_ids
    response = admin_client.post(
        reverse("admin:bundles_bundle_changelist"),
        {"action": "delete_selected", "_selected_action": [bundle.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Bundle.objects.exists()
    assert Patch.objects.filter(pk__in=patch_ids).count() == len(patch_ids)
