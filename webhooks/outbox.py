"""The outbox: a delivery row per event and interested hook, written in the transaction
that writes the event (``events.services.record_event`` and ingest's event rows), so an
event is committed exactly when its deliveries are, and a crash loses none.

Without an enabled hook this costs one query of the (small) hook table per write.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from webhooks.models import Delivery, Webhook


@dataclass(frozen=True)
class NewEvent:
    id: int
    project_id: int
    category: str


def interested_hooks(project_ids: Iterable[int]) -> list[Webhook]:
    """The effective hooks that may want events of these projects (one query)."""
    ids = set(project_ids)
    return list(
        Webhook.objects.effective()
        .filter(Q(project_id__in=ids) | Q(project__isnull=True))
        .only("id", "project_id", "categories")
    )


def enqueue(events: Sequence[NewEvent], hooks: Sequence[Webhook] | None = None) -> int:
    """Write the deliveries of ``events`` (in their order) to every hook wanting them;
    call it inside the events' transaction. Returns how many were written."""
    if not events:
        return 0
    if hooks is None:
        hooks = interested_hooks(event.project_id for event in events)
    now = timezone.now()
    deliveries = [
        Delivery(webhook_id=hook.pk, event_id=event.id, category=event.category, created=now)
        for event in events
        for hook in hooks
        if hook.wants(event.project_id, event.category)
    ]
    Delivery.objects.bulk_create(deliveries)
    return len(deliveries)
