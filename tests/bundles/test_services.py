"""Bundle membership services of the web pages: owner only, same project, in order."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bundles.models import BundlePatch
from bundles.services import add_patches, remove_patches, reorder_patches
from tests.factories import BundleFactory, PatchFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle():
    first = PatchFactory()
    return BundleFactory(project=first.project, patches=[first])


def members(bundle) -> list[int]:
    return list(
        BundlePatch.objects.filter(bundle=bundle)
        .order_by("order")
        .values_list("patch_id", flat=True)
    )


def test_add_appends_new_patches_in_order(bundle):
    first = bundle.patches.get()
    second, third = PatchFactory.create_batch(2, project=bundle.project)
    added = add_patches(bundle, [third, first, second, third], actor=bundle.owner)
    assert added == [third, second]
    assert members(bundle) == [first.id, third.id, second.id]


def test_only_the_owner_changes_a_bundle(bundle):
    other = PatchFactory(project=bundle.project)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        add_patches(bundle, [other], actor=stranger)
    with pytest.raises(PermissionDenied):
        remove_patches(bundle, list(bundle.patches.all()), actor=stranger)
    with pytest.raises(PermissionDenied):
        reorder_patches(bundle, members(bundle), actor=stranger)


def test_patches_of_another_project_are_refused(bundle):
    with pytest.raises(ValidationError):
        add_patches(bundle, [PatchFactory()], actor=bundle.owner)


def test_remove_and_reorder(bundle):
    first = bundle.patches.get()
    second, third = PatchFactory.create_batch(2, project=bundle.project)
    add_patches(bundle, [second, third], actor=bundle.owner)
    reorder_patches(bundle, [third.id, first.id, second.id], actor=bundle.owner)
    assert members(bundle) == [third.id, first.id, second.id]
    assert remove_patches(bundle, [first, PatchFactory()], actor=bundle.owner) == 1
    assert members(bundle) == [third.id, second.id]
    with pytest.raises(ValidationError):
        reorder_patches(bundle, [third.id], actor=bundle.owner)
