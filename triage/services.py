"""Series-level and bulk triage, beyond Patchwork (the unversioned ``/api/``).

Both go through ``patches.services.update_patches``: one transaction, the actor's
permission on every patch, the same validation as a single patch's update and one event
per changed patch; the first patch refused rolls everything back.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from patches.models import Patch
from patches.services import update_patches
from series.models import Series

TRIAGE_FIELDS = ("state", "delegate", "archived")


def series_patches(series: Series) -> list[Patch]:
    """The patches of a series in their order, with what permission checks read."""
    return list(
        Patch.objects.filter(series=series)
        .select_related("project", "submitter")
        .defer("content", "diff", "headers")
        .order_by("number", "id")
    )


def update_series(series: Series, *, actor: AbstractBaseUser, **changes: Any) -> list[Patch]:
    """Apply ``changes`` (state, delegate, archived) to every patch of ``series``."""
    _check_fields(changes)
    return update_patches(series_patches(series), actor=actor, **changes)


def update_patches_by_id(
    ids: Iterable[int], *, actor: AbstractBaseUser, **changes: Any
) -> list[Patch]:
    """Apply ``changes`` to the patches ``ids``, all or nothing; a ValidationError names
    the ids that name no patch."""
    _check_fields(changes)
    wanted = list(dict.fromkeys(ids))
    found = {
        patch.pk: patch
        for patch in Patch.objects.filter(pk__in=wanted)
        .select_related("project", "submitter")
        .defer("content", "diff", "headers")
    }
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError({"ids": [f"No patch with id {', '.join(missing)}."]})
    return update_patches([found[pk] for pk in wanted], actor=actor, **changes)


def _check_fields(changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(TRIAGE_FIELDS))
    if unknown:
        raise TypeError(f"unknown triage fields: {', '.join(unknown)}")
    if not changes:
        raise ValidationError({"detail": "Give at least one of state, delegate, archived."})
