"""Creating, changing and deleting bundles (API 1.2+ and web pages), each in one transaction.

Only a bundle's owner may change it: the API checks it in its permission class, and the
membership changes of the web pages (``add_patches``, ``remove_patches``,
``reorder_patches``) check it here.
"""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from bundles.models import Bundle, BundlePatch
from patches.models import Patch

SAME_PROJECT_MESSAGE = "Bundle patches must belong to the same project"
EMPTY_MESSAGE = "Bundles cannot be empty"
NOT_OWNER_MESSAGE = "Only the owner of a bundle may change it."


def can_edit_bundle(user, bundle: Bundle) -> bool:
    """Only the owner changes a bundle (as in Patchwork)."""
    return user.is_authenticated and bundle.owner_id == user.pk


def _require_owner(actor, bundle: Bundle) -> None:
    if not can_edit_bundle(actor, bundle):
        raise PermissionDenied(NOT_OWNER_MESSAGE)


@transaction.atomic
def add_patches(bundle: Bundle, patches: Sequence[Patch], *, actor) -> list[Patch]:
    """Append the patches not yet in the bundle, in the given order; returns those added.

    The patches must belong to the bundle's project (the API's rule for a bundle's
    patches).
    """
    _require_owner(actor, bundle)
    if any(patch.project_id != bundle.project_id for patch in patches):
        raise ValidationError({"patches": [SAME_PROJECT_MESSAGE]})
    present = set(BundlePatch.objects.filter(bundle=bundle).values_list("patch_id", flat=True))
    last = BundlePatch.objects.filter(bundle=bundle).aggregate(last=Max("order"))["last"] or 0
    added = [patch for patch in dict.fromkeys(patches) if patch.pk not in present]
    BundlePatch.objects.bulk_create(
        BundlePatch(bundle=bundle, patch=patch, order=order)
        for order, patch in enumerate(added, start=last + 1)
    )
    return added


@transaction.atomic
def remove_patches(bundle: Bundle, patches: Sequence[Patch], *, actor) -> int:
    """Take the patches out of the bundle; returns how many were in it."""
    _require_owner(actor, bundle)
    removed, _by_model = BundlePatch.objects.filter(
        bundle=bundle, patch__in=[patch.pk for patch in patches]
    ).delete()
    return removed


@transaction.atomic
def reorder_patches(bundle: Bundle, patch_ids: Sequence[int], *, actor) -> None:
    """Put the bundle's patches in the order of ``patch_ids``, which must name each of
    them once."""
    _require_owner(actor, bundle)
    memberships = {
        membership.patch_id: membership
        for membership in BundlePatch.objects.select_for_update().filter(bundle=bundle)
    }
    if sorted(patch_ids) != sorted(memberships):
        raise ValidationError({"order": ["Give the new position of every patch of the bundle."]})
    for order, patch_id in enumerate(patch_ids, start=1):
        memberships[patch_id].order = order
    BundlePatch.objects.bulk_update(memberships.values(), ["order"])


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


def bundle_problems(
    owner, name: str, patches: Sequence[Patch], *, excluding: Bundle | None = None
) -> dict[str, list[str]]:
    """What ``create_bundle`` or ``update_bundle`` would refuse, by field (forms show it
    before saving)."""
    problems = {}
    if (message := _patches_problem(patches)) is not None:
        problems["patches"] = [message]
    if owner is not None and _name_is_taken(owner, name, excluding=excluding):
        problems["name"] = _name_taken(name).message_dict["name"]
    return problems


def _patches_problem(patches: Sequence[Patch]) -> str | None:
    if not patches:
        return EMPTY_MESSAGE
    if len({patch.project_id for patch in patches}) > 1:
        return SAME_PROJECT_MESSAGE
    return None


def _single_project_id(patches: Sequence[Patch]) -> int:
    if (message := _patches_problem(patches)) is not None:
        raise ValidationError({"patches": [message]})
    return patches[0].project_id


def _name_is_taken(owner, name: str, *, excluding: Bundle | None = None) -> bool:
    taken = Bundle.objects.filter(owner=owner, name=name)
    if excluding is not None:
        taken = taken.exclude(pk=excluding.pk)
    return taken.exists()


def _check_name_free(owner, name: str, *, excluding: Bundle | None = None) -> None:
    if _name_is_taken(owner, name, excluding=excluding):
        raise _name_taken(name)


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": [f"You already have a bundle called {name!r}."]})
