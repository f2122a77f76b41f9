"""Writes on patches, their checks and comments.

Each service checks the actor's permission, validates, saves and records the events of
the change in one transaction, so that the REST API, XML-RPC and management commands
share one set of rules:

- a patch may be changed by superusers, the project's maintainers, its delegate and the
  user linked to its submitter (Patchwork's ``Patch.is_editable``), and by holders of
  Django's ``patches.change_patch`` permission (staff given it in the admin);
- the delegate must maintain the patch's project;
- ``related`` follows Patchwork: only maintainers of every patch involved may change a
  relation, a patch must leave its relation before joining another (a conflict
  otherwise), and an empty list takes the patch out of its relation;
- checks may be added by those who may change the patch and by holders of the
  ``patches.add_check`` permission (a CI account that maintains nothing);
- a comment's ``addressed`` flag may be set by its author and by those who may change
  the patch.

Every change bumps ``Patch.updated`` (the ``updated_since`` filter). ``update_patches``
applies one change to many patches (the web list's bulk actions) all or nothing.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from events.models import Event
from events.services import record_event
from patches.models import Check, Patch, PatchComment, PatchRelation, State
from patchwork_api.api.service_errors import ServiceConflict


class Unchanged:
    """The default of an argument the caller does not want to change."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()

COMMIT_REF_MAX_LENGTH = 255
NOT_MAINTAINING_RELATED = "At least one patch is part of a project you are not maintaining."


class RelationConflict(ServiceConflict):
    """A patch named in ``related`` already belongs to another relation."""

    default_message = (
        "At least one patch is already part of another relation. You have to explicitly "
        "remove a patch from its existing relation before moving it to this one."
    )

    def __init__(self, message: str = default_message):
        super().__init__(message)


def maintains(user: AbstractBaseUser, project_id: int) -> bool:
    """Whether ``user`` is a superuser or a maintainer of the project."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.maintained_projects.filter(pk=project_id).exists()


def is_maintainer(user: AbstractBaseUser, project_id: int) -> bool:
    """Whether ``user`` is listed as a maintainer of the project (superusers are not
    maintainers of everything: a delegate must really maintain the project)."""
    return user.maintained_projects.filter(pk=project_id).exists()


def can_edit_patch(user: AbstractBaseUser, patch: Patch) -> bool:
    """Superusers, project maintainers, the delegate, the submitter's user, and holders of
    the ``patches.change_patch`` permission."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or patch.delegate_id == user.pk:
        return True
    if patch.submitter.user_id == user.pk:
        return True
    return maintains(user, patch.project_id) or user.has_perm("patches.change_patch")


def validate_patch_update(
    patch: Patch,
    *,
    actor: AbstractBaseUser,
    state: State | Unchanged = UNCHANGED,
    delegate: AbstractBaseUser | Unchanged | None = UNCHANGED,
    commit_ref: str | Unchanged | None = UNCHANGED,
) -> None:
    """What ``update_patch`` checks before writing: PermissionDenied when ``actor`` may not
    change the patch, ValidationError (a message per field) for a refused value.

    Forms (the admin's) call it to show the service's errors next to their fields.
    """
    if not can_edit_patch(actor, patch):
        raise PermissionDenied("You do not have permission to perform this action.")
    _validate_patch_changes(patch, state=state, delegate=delegate, commit_ref=commit_ref)


def can_create_check(user: AbstractBaseUser, patch: Patch) -> bool:
    """Those who may change the patch, and CI accounts given ``patches.add_check``."""
    if not user.is_authenticated:
        return False
    return user.has_perm("patches.add_check") or can_edit_patch(user, patch)


def can_edit_comment(user: AbstractBaseUser, comment: PatchComment) -> bool:
    """The comment's author and those who may change its patch."""
    if not user.is_authenticated:
        return False
    if comment.submitter.user_id == user.pk:
        return True
    return can_edit_patch(user, comment.patch)


@transaction.atomic
def update_patch(
    patch: Patch,
    *,
    actor: AbstractBaseUser,
    state: State | Unchanged = UNCHANGED,
    delegate: AbstractBaseUser | Unchanged | None = UNCHANGED,
    archived: bool | Unchanged = UNCHANGED,
    commit_ref: str | Unchanged | None = UNCHANGED,
    pull_url: str | Unchanged | None = UNCHANGED,
    related: Iterable[Patch] | Unchanged = UNCHANGED,
) -> Patch:
    """Change the given fields of ``patch`` on behalf of ``actor``.

    The relation changes first, then the other fields, so that (as Patchwork records them)
    the relation events come before the state and delegate events of the same update.
    Raises PermissionDenied, ValidationError (a message per field) or RelationConflict.
    """
    validate_patch_update(
        patch, actor=actor, state=state, delegate=delegate, commit_ref=commit_ref
    )

    current = Patch.objects.select_for_update().get(pk=patch.pk)
    now = timezone.now()
    if related is not UNCHANGED:
        _change_relation(patch, list(related), actor=actor, date=now)
    changed_fields = []
    for field_name, value in (
        ("state", state),
        ("delegate", delegate),
        ("archived", archived),
        ("commit_ref", commit_ref),
        ("pull_url", pull_url),
    ):
        if value is not UNCHANGED:
            setattr(patch, field_name, value)
            changed_fields.append(field_name)
    if changed_fields:
        patch.updated = now
        patch.save(update_fields=[*changed_fields, "updated"])
    _record_patch_events(patch, previous=current, actor=actor, date=now)
    return patch


class BulkUpdateRefused(PermissionDenied):
    """``update_patches`` was refused for one of the patches; nothing was changed."""

    def __init__(self, patch: Patch, reason: str):
        self.patch = patch
        super().__init__(f"Patch '{patch.name}': {reason}")


@transaction.atomic
def update_patches(
    patches: Iterable[Patch], *, actor: AbstractBaseUser, **changes: Any
) -> list[Patch]:
    """Make the same ``changes`` (``update_patch``'s keywords) to every patch, all or nothing.

    Each patch goes through ``update_patch``: the actor's permission on that patch, the
    same validation and its own events. The first patch refused rolls every change back
    and raises BulkUpdateRefused (a PermissionDenied) naming it, or the ValidationError
    of its values.
    """
    updated = []
    for patch in patches:
        if not can_edit_patch(actor, patch):
            raise BulkUpdateRefused(patch, "you do not have permission to change it.")
        updated.append(update_patch(patch, actor=actor, **changes))
    return updated


def _validate_patch_changes(
    patch: Patch,
    *,
    state: State | Unchanged,
    delegate: AbstractBaseUser | Unchanged | None,
    commit_ref: str | Unchanged | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if state is not UNCHANGED and not isinstance(state, State):
        errors["state"] = ["A patch must have a state."]
    if delegate not in (UNCHANGED, None) and not is_maintainer(delegate, patch.project_id):
        errors["delegate"] = [
            f"User '{delegate}' is not a maintainer for project '{patch.project}'"
        ]
    if isinstance(commit_ref, str) and len(commit_ref) > COMMIT_REF_MAX_LENGTH:
        errors["commit_ref"] = [
            f"Ensure this field has no more than {COMMIT_REF_MAX_LENGTH} characters."
        ]
    if errors:
        raise ValidationError(errors)


def _record_patch_events(patch: Patch, *, previous: Patch, actor, date) -> None:
    if patch.state_id != previous.state_id:
        record_event(
            Event.Category.PATCH_STATE_CHANGED,
            patch=patch,
            actor=actor,
            date=date,
            previous_state_id=previous.state_id,
            current_state_id=patch.state_id,
        )
    if patch.delegate_id != previous.delegate_id:
        record_event(
            Event.Category.PATCH_DELEGATED,
            patch=patch,
            actor=actor,
            date=date,
            previous_delegate_id=previous.delegate_id,
            current_delegate_id=patch.delegate_id,
        )


def _change_relation(patch: Patch, proposed: list[Patch], *, actor, date) -> None:
    """Patchwork's rules for ``related``: additive, break before make, maintainers only."""
    current_members = list(patch.related.patches.all()) if patch.related_id else []
    involved = {other.pk: other for other in [patch, *proposed, *current_members]}
    if not all(maintains(actor, other.project_id) for other in involved.values()):
        raise PermissionDenied(NOT_MAINTAINING_RELATED)

    if not proposed:
        _leave_relation(patch, current_members, actor=actor, date=date)
        return

    relation_ids = {other.related_id for other in involved.values() if other.related_id}
    if len(relation_ids) > 1:
        raise RelationConflict()
    relation = (
        PatchRelation.objects.get(pk=relation_ids.pop())
        if relation_ids
        else PatchRelation.objects.create()
    )
    # as Patchwork records them: the other patches (by id), then the patch written to
    others = sorted((other for other in involved.values() if other.pk != patch.pk), key=_pk)
    for other in [*others, patch]:
        _move_to_relation(other, relation, actor=actor, date=date)


def _pk(patch: Patch) -> int:
    return patch.pk


def _leave_relation(patch: Patch, members: list[Patch], *, actor, date) -> None:
    """Take ``patch`` out of its relation; a relation left with one patch is dissolved."""
    if patch.related_id is None:
        return
    relation_id = patch.related_id
    remaining = [member for member in members if member.pk != patch.pk]
    _move_to_relation(patch, None, actor=actor, date=date)
    if len(remaining) <= 1:
        for member in remaining:
            _move_to_relation(member, None, actor=actor, date=date)
        PatchRelation.objects.filter(pk=relation_id).delete()


def _move_to_relation(patch: Patch, relation: PatchRelation | None, *, actor, date) -> None:
    new_relation_id = relation.pk if relation is not None else None
    if patch.related_id == new_relation_id:
        return
    previous_relation_id = patch.related_id
    patch.related = relation
    patch.updated = date
    patch.save(update_fields=["related", "updated"])
    record_event(
        Event.Category.PATCH_RELATION_CHANGED,
        patch=patch,
        actor=actor,
        date=date,
        previous_relation_id=previous_relation_id,
        current_relation_id=new_relation_id,
    )


@transaction.atomic
def create_check(
    patch: Patch,
    *,
    user: AbstractBaseUser,
    state: int,
    target_url: str | None = None,
    context: str = "default",
    description: str | None = None,
) -> Check:
    """Record a check reported by ``user`` on ``patch`` (a CI result)."""
    if not can_create_check(user, patch):
        raise PermissionDenied("You do not have permission to perform this action.")
    if state not in Check.State.values:
        raise ValidationError({"state": [f'"{state}" is not a valid choice.']})
    now = timezone.now()
    check = Check.objects.create(
        patch=patch,
        user=user,
        date=now,
        state=state,
        target_url=target_url or None,
        context=context or "default",
        description=description,
    )
    Patch.objects.filter(pk=patch.pk).update(updated=now)
    record_event(
        Event.Category.CHECK_CREATED, patch=patch, actor=user, date=now, created_check=check
    )
    return check


@transaction.atomic
def update_comment(
    comment: PatchComment, *, actor: AbstractBaseUser, addressed: bool | None
) -> PatchComment:
    """Mark a patch comment as addressed (True), not addressed (False) or unset (None)."""
    if not can_edit_comment(actor, comment):
        raise PermissionDenied("You do not have permission to perform this action.")
    if addressed not in (True, False, None):
        raise ValidationError({"addressed": ["Must be a valid boolean."]})
    comment.addressed = addressed
    comment.save(update_fields=["addressed"])
    Patch.objects.filter(pk=comment.patch_id).update(updated=timezone.now())
    return comment
