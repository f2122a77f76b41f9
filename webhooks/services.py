"""Registering, changing and removing webhooks (API and ``manage.py webhook``).

A maintainer registers hooks for the projects they maintain; an administrator for any
project, or for every project at once (``project=None``). Only a hook's owner and
administrators see or change it.
"""

import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from events.models import Event
from projects.models import Project
from webhooks.models import Webhook
from webhooks.targets import validate_target

NOT_MAINTAINER_MESSAGE = "Only maintainers of the project (or administrators) may add webhooks."
ALL_PROJECTS_MESSAGE = "Only administrators may add a webhook for every project."
SECRET_MIN_LENGTH = 16


def can_manage(user, hook: Webhook) -> bool:
    return user.is_authenticated and (user.is_superuser or hook.owner_id == user.pk)


def visible_to(user):
    """The hooks ``user`` sees: their own, or every hook for an administrator."""
    if not user.is_authenticated:
        return Webhook.objects.none()
    if user.is_superuser:
        return Webhook.objects.all()
    return Webhook.objects.filter(owner=user)


def check_project(owner, project: Project | None) -> None:
    if owner.is_superuser:
        return
    if project is None:
        raise PermissionDenied(ALL_PROJECTS_MESSAGE)
    if not project.is_maintainer(owner):
        raise PermissionDenied(NOT_MAINTAINER_MESSAGE)


def clean_categories(categories: Iterable[str] | None) -> list[str]:
    """The categories given, each a known event category, in the order of the list."""
    categories = list(dict.fromkeys(categories or ()))
    unknown = [name for name in categories if name not in Event.Category.values]
    if unknown:
        raise ValidationError(
            {"categories": [f"Unknown event category: {', '.join(map(str, unknown))}."]}
        )
    return categories


def clean_secret(secret: str | None) -> str:
    if secret is None or secret == "":
        return secrets.token_hex(32)
    if len(secret) < SECRET_MIN_LENGTH:
        raise ValidationError({"secret": [f"Give at least {SECRET_MIN_LENGTH} characters."]})
    return secret


@transaction.atomic
def create_webhook(
    *,
    owner,
    target: str,
    project: Project | None = None,
    categories: Iterable[str] | None = None,
    secret: str | None = None,
    enabled: bool = True,
) -> Webhook:
    """A new hook of ``owner`` (who must maintain ``project``, or be an administrator);
    without a secret one is generated (read it from the returned hook)."""
    check_project(owner, project)
    return Webhook.objects.create(
        owner=owner,
        project=project,
        target=validate_target(target),
        categories=clean_categories(categories),
        secret=clean_secret(secret),
        enabled=enabled,
    )


@transaction.atomic
def update_webhook(
    hook: Webhook,
    *,
    actor,
    target: str | None = None,
    categories: Iterable[str] | None = None,
    secret: str | None = None,
    enabled: bool | None = None,
) -> Webhook:
    """Change a hook; enabling it again clears its failures (its pending deliveries
    then go out)."""
    if not can_manage(actor, hook):
        raise PermissionDenied("Only the owner of a webhook may change it.")
    if target is not None:
        hook.target = validate_target(target)
    if categories is not None:
        hook.categories = clean_categories(categories)
    if secret is not None:
        hook.secret = clean_secret(secret)
    if enabled is not None:
        if enabled and not hook.enabled:
            hook.consecutive_failures = 0
            hook.disabled_reason = ""
        hook.enabled = enabled
    hook.save(
        update_fields=[
            "target",
            "categories",
            "secret",
            "enabled",
            "consecutive_failures",
            "disabled_reason",
        ]
    )
    return hook


def delete_webhook(hook: Webhook, *, actor) -> None:
    """Remove a hook with its deliveries and their log."""
    if not can_manage(actor, hook):
        raise PermissionDenied("Only the owner of a webhook may remove it.")
    hook.delete()
