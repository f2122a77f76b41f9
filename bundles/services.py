"""Creating, changing and deleting bundles (API 1.2+), each in one transaction."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bundles.models import Bundle, BundlePatch
from patches.models import Patch

SAME_PROJECT_MESSAGE = "Bundle patches must belong to the same project"
EMPTY_MESSAGE = "Bundles cannot be empty"


def create_bundle(*, owner, name: str, patches: Sequence[Patch], public: bool = False) -> Bundle:
    """A new bundle of ``owner`` holding ``patches`` in the given order.

    The bundle belongs to the patches' project, which must be one and the same.
    """
    project_id = _single_project_id(patches)
    _check_name_free(owner, name)
    try:
        with transaction.atomic():
            bundle = Bundle.objects.create(
                owner=owner, name=name, public=public, project_id=project_id
            )
            _replace_patches(bundle, patches)
    except IntegrityError as error:  # a concurrent request took the name
        raise _name_taken(name) from error
    return bundle


def update_bundle(
    bundle: Bundle,
    *,
    name: str | None = None,
    patches: Sequence[Patch] | None = None,
    public: bool | None = None,
) -> Bundle:
    """Rename, change the visibility of, or replace the patches of a bundle; what is
    None stays. New patches move the bundle to their project, as in Patchwork."""
    if name is not None and name != bundle.name:
        _check_name_free(bundle.owner, name, excluding=bundle)
        bundle.name = name
    if public is not None:
        bundle.public = public
    if patches is not None:
        bundle.project_id = _single_project_id(patches)
    try:
        with transaction.atomic():
            bundle.save(update_fields=["name", "public", "project"])
            if patches is not None:
                _replace_patches(bundle, patches)
    except IntegrityError as error:
        raise _name_taken(bundle.name) from error
    return bundle


@transaction.atomic
def delete_bundle(bundle: Bundle) -> None:
    """Delete a bundle and its membership rows (the patches stay)."""
    bundle.delete()


def _replace_patches(bundle: Bundle, patches: Sequence[Patch]) -> None:
    BundlePatch.objects.filter(bundle=bundle).delete()
    BundlePatch.objects.bulk_create(
        BundlePatch(bundle=bundle, patch=patch, order=order)
        for order, patch in enumerate(patches, start=1)
    )


def _single_project_id(patches: Sequence[Patch]) -> int:
    if not patches:
        raise ValidationError({"patches": [EMPTY_MESSAGE]})
    project_ids = {patch.project_id for patch in patches}
    if len(project_ids) > 1:
        raise ValidationError({"patches": [SAME_PROJECT_MESSAGE]})
    return project_ids.pop()


def _check_name_free(owner, name: str, *, excluding: Bundle | None = None) -> None:
    taken = Bundle.objects.filter(owner=owner, name=name)
    if excluding is not None:
        taken = taken.exclude(pk=excluding.pk)
    if taken.exists():
        raise _name_taken(name)


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": [f"You already have a bundle called {name!r}."]})
