"""Recording events: the one place that writes Event rows, called by the write services.

Every change that Patchwork reports in ``/api/events/`` goes through :func:`record_event`
inside the transaction of the change itself, so an event exists exactly when its change
was committed, and so do its webhook deliveries (``webhooks.outbox``). Callers name the
objects the event concerns; the project is taken from them when not given.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from events.models import Event
from webhooks.outbox import NewEvent, enqueue

# The objects an event may point at, by the Event field that holds them.
TARGET_FIELDS = (
    "patch",
    "series",
    "cover",
    "previous_state",
    "current_state",
    "previous_delegate",
    "current_delegate",
    "previous_relation",
    "current_relation",
    "created_check",
    "cover_comment",
    "patch_comment",
)


def record_event(
    category: Event.Category | str,
    *,
    project=None,
    actor: AbstractBaseUser | None = None,
    date: datetime.datetime | None = None,
    **targets,
) -> Event:
    """Store one event of ``category`` about ``targets`` (``patch=``, ``current_state=``…,
    or their ids: ``current_state_id=``).

    ``project`` defaults to the project of the patch, series or cover concerned.
    ``actor`` is the user who made the change (None for mail arriving); anonymous users
    are recorded as None.
    """
    unknown = sorted(name for name in targets if name.removesuffix("_id") not in TARGET_FIELDS)
    if unknown:
        raise TypeError(f"record_event() got unknown targets: {', '.join(unknown)}")
    category = Event.Category(category)
    project_id = project.pk if project is not None else _project_id_of(targets)
    if actor is not None and not actor.is_authenticated:
        actor = None
    with transaction.atomic(savepoint=False):  # the event and its deliveries, together
        event = Event.objects.create(
            category=category,
            project_id=project_id,
            actor=actor,
            date=date or timezone.now(),
            **targets,
        )
        enqueue([NewEvent(event.pk, project_id, category.value)])
    return event


def _project_id_of(targets: dict) -> int:
    for name in ("patch", "series", "cover"):
        target = targets.get(name)
        if target is not None:
            return target.project_id
        if targets.get(f"{name}_id") is not None:
            raise TypeError(f"record_event() needs a project with {name}_id=")
    raise TypeError("record_event() needs a project, or a patch, series or cover")
