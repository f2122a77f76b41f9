"""Sending the outbox: ``manage.py webhooks run``.

Each hook's deliveries go out one at a time, oldest first: a worker takes a lease on the
hook (so two workers never post for the same hook at once, and a worker that dies gives
it up when the lease runs out), renders the delivery's body at its first attempt (kept,
so that every retry sends the same bytes under the same delivery id), posts it, and
records the attempt. A failure holds the hook's later deliveries back (ordering) and is
retried after an exponential backoff; ``WEBHOOK_MAX_CONSECUTIVE_FAILURES`` failed
attempts in a row disable the hook (its owner re-enables it, and its pending deliveries
then go out). A delivery is marked delivered only after the receiver answered 2xx: a
worker killed in between posts it again (at least once; receivers deduplicate by the
``X-Patchwork-Delivery`` id).
"""

import datetime
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from patchwork_api.limits import (
    WEBHOOK_RETRY_MAX_SECONDS,
)
from webhooks.models import Delivery, DeliveryAttempt, Webhook
from webhooks.payload import render_event, signature
from webhooks.sender import PostResult, post

logger = logging.getLogger("patchwork.webhooks")

# Deliveries one lease of a hook sends before the worker moves to the next hook.
DELIVERIES_PER_LEASE = 50


@dataclass
class RunCounts:
    delivered: int = 0
    failed: int = 0
    cancelled: int = 0
    disabled: int = 0

    @property
    def attempts(self) -> int:
        return self.delivered + self.failed + self.cancelled


def backoff_seconds(failures: int) -> float:
    """Wait before the next attempt after ``failures`` failed ones (doubling, capped)."""
    return min(
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(failures - 1, 0), WEBHOOK_RETRY_MAX_SECONDS
    )


def due_hooks(now: datetime.datetime) -> list[int]:
    """Enabled, unleased hooks that have a pending delivery due."""
    due = Delivery.objects.filter(
        webhook=OuterRef("pk"), status=Delivery.Status.PENDING, next_attempt__lte=now
    )
    return list(
        Webhook.objects.filter(enabled=True)
        .filter(Exists(due))
        .exclude(lease_until__gt=now)
        .values_list("pk", flat=True)
    )


def lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)


def take_lease(hook_id: int, token: str) -> bool:
    """Hold the hook for ``WEBHOOK_LEASE_SECONDS``, renewed before each delivery; a worker
    that dies holding it lets the next one in when it runs out."""
    taken = (
        Webhook.objects.filter(pk=hook_id, enabled=True)
        .exclude(lease_until__gt=timezone.now())
        .update(lease_until=lease_end(), lease_token=token)
    )
    return taken == 1


def renew_lease(hook_id: int, token: str) -> bool:
    renewed = Webhook.objects.filter(pk=hook_id, enabled=True, lease_token=token).update(
        lease_until=lease_end()
    )
    return renewed == 1


def release_lease(hook_id: int, token: str) -> None:
    Webhook.objects.filter(pk=hook_id, lease_token=token).update(lease_until=None, lease_token="")


def run_once(
    counts: RunCounts | None = None, *, stop: Callable[[], bool] = lambda: False
) -> RunCounts:
    """One pass over the hooks with due deliveries."""
    counts = counts or RunCounts()
    for hook_id in due_hooks(timezone.now()):
        if stop():
            break
        token = secrets.token_hex(16)
        if not take_lease(hook_id, token):
            continue
        try:
            send_hook(hook_id, token, counts, stop)
        finally:
            release_lease(hook_id, token)
    return counts


def send_hook(hook_id: int, token: str, counts: RunCounts, stop: Callable[[], bool]) -> None:
    for _ in range(DELIVERIES_PER_LEASE):
        if stop() or not renew_lease(hook_id, token):
            return
        hook = Webhook.objects.get(pk=hook_id)
        delivery = (
            Delivery.objects.filter(webhook=hook, status=Delivery.Status.PENDING)
            .order_by("id")
            .first()
        )
        if delivery is None or delivery.next_attempt > timezone.now():
            return  # nothing due; a later delivery never overtakes a failed one
        if not send(hook, delivery, counts):
            return


def send(hook: Webhook, delivery: Delivery, counts: RunCounts) -> bool:
    """Post one delivery and record the attempt; whether the hook may go on."""
    if not delivery.body:
        body = render_event(delivery.event_id) if delivery.event_id else None
        if body is None:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.CANCELLED, last_error="the event no longer exists"
            )
            counts.cancelled += 1
            return True
        delivery.body = body
        Delivery.objects.filter(pk=delivery.pk).update(body=body)
    raw = delivery.body.encode()
    result = post(
        hook.target,
        raw,
        {
            "Content-Type": "application/json",
            "X-Patchwork-Event": delivery.category,
            "X-Patchwork-Delivery": str(delivery.uuid),
            "X-Patchwork-Hook": str(hook.pk),
            "X-Patchwork-Signature": signature(hook.secret, raw),
        },
    )
    record(hook, delivery, result, counts)
    return result.ok


@transaction.atomic
def record(hook: Webhook, delivery: Delivery, result: PostResult, counts: RunCounts) -> None:
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        date=now,
        status_code=result.status_code,
        error=result.error,
        duration_ms=result.duration_ms,
    )
    attempts = delivery.attempts + 1
    if result.ok:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED,
            attempts=attempts,
            delivered=now,
            last_status_code=result.status_code,
            last_error="",
        )
        Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        counts.delivered += 1
        return
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        next_attempt=now + datetime.timedelta(seconds=backoff_seconds(attempts)),
        last_status_code=result.status_code,
        last_error=result.error,
    )
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    counts.failed += 1
    failures = Webhook.objects.values_list("consecutive_failures", flat=True).get(pk=hook.pk)
    logger.warning(
        "webhook %d: delivery %s failed (attempt %d): %s",
        hook.pk,
        delivery.uuid,
        attempts,
        result.error,
    )
    if failures >= max_failures():
        Webhook.objects.filter(pk=hook.pk).update(
            enabled=False,
            disabled_reason=f"disabled after {failures} consecutive failed deliveries"
            f" ({now:%Y-%m-%d %H:%M:%S}): {result.error}"[:255],
        )
        counts.disabled += 1
        logger.warning("webhook %d: disabled after %d consecutive failures", hook.pk, failures)


def max_failures() -> int:
    return settings.WEBHOOK_MAX_CONSECUTIVE_FAILURES


def prune(now: datetime.datetime | None = None) -> int:
    """Delete delivered and cancelled deliveries older than ``WEBHOOK_KEEP_DAYS``."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    deleted, _ = (
        Delivery.objects.exclude(status=Delivery.Status.PENDING)
        .filter(created__lt=cutoff)
        .delete()
    )
    return deleted


def run_forever(stop: Callable[[], bool], *, poll_seconds: float) -> RunCounts:
    """Send until ``stop()``; sleeps ``poll_seconds`` when nothing was due."""
    counts = RunCounts()
    last_prune = 0.0
    while not stop():
        before = counts.attempts
        run_once(counts, stop=stop)
        if time.monotonic() - last_prune > 3600:
            prune()
            last_prune = time.monotonic()
        if counts.attempts == before:
            deadline = time.monotonic() + poll_seconds
            while not stop() and time.monotonic() < deadline:
                time.sleep(min(0.1, poll_seconds))
    return counts
