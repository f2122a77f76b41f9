"""Checks for CI beyond Patchwork: one check on every patch of a series, summaries of the
latest state per context, and the CI role.

The CI role is Django's ``patches.add_check`` permission, which ``create_check`` already
honours: its holder may post checks on every project without maintaining any.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework import serializers

from patches.models import Check, Patch
from patches.querysets import combined_check_state
from patches.services import can_create_check, create_check
from series.models import Series
from triage.services import series_patches

CI_PERMISSION = ("patches", "add_check")


def ci_permission() -> Permission:
    app_label, codename = CI_PERMISSION
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def set_ci_role(user: AbstractBaseUser, enabled: bool) -> None:
    """Give (or take back) the CI role: posting checks on every project."""
    if enabled:
        user.user_permissions.add(ci_permission())
    else:
        user.user_permissions.remove(ci_permission())


def ci_user_ids() -> set[int]:
    """The users given the CI role themselves (superusers have every permission anyway)."""
    return set(ci_permission().user_set.values_list("pk", flat=True))


@transaction.atomic
def create_series_checks(series: Series, *, user: AbstractBaseUser, **check: Any) -> list[Check]:
    """Record the same check on every patch of ``series`` (each with its own event), all
    or nothing: PermissionDenied when ``user`` may not add a check to one of them."""
    patches = series_patches(series)
    for patch in patches:
        if not can_create_check(user, patch):
            raise PermissionDenied(f"Patch '{patch.name}': you may not add checks to it.")
    return [create_check(patch, user=user, **check) for patch in patches]


def latest_by_context(checks: list[Check]) -> dict[int, dict[str, Check]]:
    """Per patch id, per context, the latest check (by date, then id), whoever posted it."""
    latest: dict[int, dict[str, Check]] = {}
    for check in sorted(checks, key=lambda check: (check.date, check.pk)):
        latest.setdefault(check.patch_id, {})[check.context] = check
    return latest


def checks_of(patch_ids: list[int]) -> list[Check]:
    return list(Check.objects.filter(patch_id__in=patch_ids).select_related("user"))


def state_label(state: int) -> str:
    return Check.State(state).label


def patch_summary(patch: Patch) -> dict[str, Any]:
    """The latest check of each context of a patch, and their combined (worst) state."""
    latest = latest_by_context(checks_of([patch.pk])).get(patch.pk, {})
    return {
        "id": patch.pk,
        "state": state_label(combined_check_state(check.state for check in latest.values())),
        "total": len(latest),
        "contexts": [_check_entry(latest[context]) for context in sorted(latest)],
    }


def series_summary(series: Series) -> dict[str, Any]:
    """Per context, the worst of the patches' latest states and how many patches are in
    each state (``missing``: patches without a check of that context); per patch, its
    latest state per context."""
    patch_ids = [patch.pk for patch in series_patches(series)]
    latest = latest_by_context(checks_of(patch_ids))
    contexts = sorted({context for per_patch in latest.values() for context in per_patch})
    every_state = [check.state for per_patch in latest.values() for check in per_patch.values()]
    return {
        "id": series.pk,
        "state": state_label(combined_check_state(every_state)),
        "total": len(patch_ids),
        "contexts": [_context_entry(context, patch_ids, latest) for context in contexts],
        "patches": [
            {
                "id": patch_id,
                "state": state_label(
                    combined_check_state(c.state for c in latest.get(patch_id, {}).values())
                ),
                "contexts": {
                    context: state_label(check.state)
                    for context, check in sorted(latest.get(patch_id, {}).items())
                },
            }
            for patch_id in patch_ids
        ],
    }


def _context_entry(
    context: str, patch_ids: list[int], latest: dict[int, dict[str, Check]]
) -> dict[str, Any]:
    states = [latest[pk][context].state for pk in patch_ids if context in latest.get(pk, {})]
    counts = {label: 0 for label in Check.State.labels}
    for state in states:
        counts[state_label(state)] += 1
    return {
        "context": context,
        "state": state_label(combined_check_state(states)),
        "counts": counts,
        "missing": len(patch_ids) - len(states),
    }


def _check_entry(check: Check) -> dict[str, Any]:
    return {
        "context": check.context,
        "state": state_label(check.state),
        "date": serializers.DateTimeField().to_representation(check.date),
        "target_url": check.target_url,
        "description": check.description,
        "user": {"id": check.user_id, "username": check.user.username},
        "check_id": check.pk,
    }
