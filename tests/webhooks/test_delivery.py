"""The outbox and the worker, against a real HTTP receiver on loopback (in-process
worker): every event of a hook's categories is delivered as the events API shows it,
signed, in order, once per delivery id; failures are retried with backoff and disable
the hook after WEBHOOK_MAX_CONSECUTIVE_FAILURES; targets are checked again at delivery."""

import json
import uuid

import pytest
from django.utils import timezone

from events.models import Event
from events.services import record_event
from ingest.services import ingest_mail
from tests.factories import PatchFactory, UserFactory
from tests.webhooks.conftest import SECRET
from tests.webhooks.mails import patch_mail
from webhooks.models import Delivery, Webhook
from webhooks.services import create_webhook
from webhooks.worker import backoff_seconds, run_once

pytestmark = pytest.mark.django_db


def hook_for(owner, receiver, project=None, **options) -> Webhook:
    return create_webhook(
        owner=owner, target=receiver.url, project=project, secret=SECRET, **options
    )


def test_no_hook_no_outbox_row(project):
    PatchFactory(project=project)
    record_event(Event.Category.SERIES_CREATED, project=project)
    assert not Delivery.objects.exists()


def test_ingested_mail_is_delivered_signed_as_the_events_api_shows_it(
    project, maintainer, receiver, loopback_allowed, client
):
    hook = hook_for(maintainer, receiver, project)
    report = ingest_mail(patch_mail(1, project.listid))
    assert report.kind == "patch"
    # patch-created, series-created, patch-completed, series-completed: in the same commit
    assert Delivery.objects.filter(webhook=hook).count() == Event.objects.count() == 4

    counts = run_once()

    assert counts.delivered == 4
    events = {event["id"]: event for event in client.get("/api/events/").json()}
    assert [item.event_id for item in receiver.received] == sorted(events)
    for item in receiver.received:
        assert item.signature_ok
        # links are built on PATCHWORK_SITE_URL instead of the request's host
        assert (
            json.loads(item.body.decode().replace("http://127.0.0.1:8000", "http://testserver"))
            == events[item.event_id]
        )
        assert item.headers["X-Patchwork-Event"] == item.category
        assert item.headers["Content-Type"] == "application/json"
        assert uuid.UUID(item.delivery)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_categories_and_projects_select_the_events(
    project, maintainer, superuser, receiver, loopback_allowed
):
    only_series = hook_for(maintainer, receiver, project, categories=["series-completed"])
    everything = hook_for(superuser, receiver)
    ingest_mail(patch_mail(1, project.listid))
    other = PatchFactory().project
    record_event(Event.Category.SERIES_CREATED, project=other)

    assert Delivery.objects.filter(webhook=only_series).count() == 1
    assert Delivery.objects.filter(webhook=everything).count() == 5


def test_api_state_change_is_delivered(project, maintainer, receiver, loopback_allowed, client):
    hook_for(maintainer, receiver, project, categories=["patch-state-changed"])
    patch = PatchFactory(project=project)
    client.force_login(maintainer)
    response = client.patch(
        f"/api/patches/{patch.pk}/", {"state": "accepted"}, content_type="application/json"
    )
    assert response.status_code == 200
    run_once()
    [item] = receiver.received
    payload = json.loads(item.body)
    assert payload["category"] == "patch-state-changed"
    assert payload["payload"]["current_state"] == "accepted"
    assert payload["actor"]["username"] == maintainer.username


def test_a_lost_maintainer_or_disabled_hook_gets_nothing(
    project, maintainer, receiver, loopback_allowed
):
    hook = hook_for(maintainer, receiver, project)
    project.maintainers.remove(maintainer)
    record_event(Event.Category.SERIES_CREATED, project=project)
    project.maintainers.add(maintainer)
    Webhook.objects.filter(pk=hook.pk).update(enabled=False)
    record_event(Event.Category.SERIES_CREATED, project=project)
    assert not Delivery.objects.exists()


def test_retry_after_the_receiver_was_down_keeps_order_and_id(
    project, maintainer, receiver, loopback_allowed
):
    hook = hook_for(maintainer, receiver, project)
    for _ in range(3):
        record_event(Event.Category.SERIES_CREATED, project=project)
    receiver.stop()

    down = run_once()

    assert (down.delivered, down.failed) == (0, 1)  # the later ones wait behind the first
    first = Delivery.objects.filter(webhook=hook).order_by("id").first()
    assert first.attempts == 1
    assert first.last_error.startswith("ConnectionRefusedError")
    assert first.log.get().status_code is None
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 1

    receiver.start()
    up = run_once()

    assert up.delivered == 3
    assert [item.event_id for item in receiver.received] == sorted(
        Event.objects.values_list("id", flat=True)
    )
    assert receiver.received[0].delivery == str(first.uuid)
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 0
    assert Delivery.objects.get(pk=first.pk).log.count() == 2


def test_backoff_is_exponential_and_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff_seconds(30) == 3600


def test_a_failed_delivery_waits_for_its_backoff(project, maintainer, receiver, loopback_allowed):
    loopback_allowed.WEBHOOK_RETRY_BASE_SECONDS = 60
    hook_for(maintainer, receiver, project)
    record_event(Event.Category.SERIES_CREATED, project=project)
    receiver.status = 503
    run_once()
    receiver.status = 200
    assert run_once().attempts == 0  # not due for a minute
    delivery = Delivery.objects.get()
    assert delivery.last_status_code == 503
    assert 55 < (delivery.next_attempt - timezone.now()).total_seconds() <= 60


def test_hook_is_disabled_after_consecutive_failures(
    project, maintainer, receiver, loopback_allowed
):
    loopback_allowed.WEBHOOK_MAX_CONSECUTIVE_FAILURES = 3
    hook = hook_for(maintainer, receiver, project)
    record_event(Event.Category.SERIES_CREATED, project=project)
    receiver.status = 500
    for _ in range(5):
        run_once()
    hook.refresh_from_db()
    assert not hook.enabled
    assert hook.consecutive_failures == 3
    assert hook.disabled_reason.startswith("disabled after 3 consecutive failed deliveries")
    assert Delivery.objects.get().attempts == 3
    record_event(Event.Category.SERIES_CREATED, project=project)
    assert Delivery.objects.count() == 1  # a disabled hook gets no new deliveries


def test_target_is_checked_again_at_delivery(project, maintainer, receiver, loopback_allowed):
    hook = create_webhook(
        owner=maintainer,
        target=receiver.url.replace("127.0.0.1", "localhost"),
        project=project,
        secret=SECRET,
    )
    record_event(Event.Category.SERIES_CREATED, project=project)
    loopback_allowed.WEBHOOK_ALLOWED_NETWORKS = []
    run_once()
    assert receiver.received == []
    delivery = Delivery.objects.get(webhook=hook)
    assert "loopback, private, link-local or reserved" in delivery.last_error
    assert delivery.last_error.startswith("refused:")


def test_removed_event_is_cancelled(project, maintainer, receiver, loopback_allowed):
    hook_for(maintainer, receiver, project)
    event = record_event(Event.Category.SERIES_CREATED, project=project)
    event.delete()
    counts = run_once()
    assert counts.cancelled == 1
    assert Delivery.objects.get().status == "cancelled"
    assert receiver.received == []


def test_a_leased_hook_is_left_to_its_worker(project, maintainer, receiver, loopback_allowed):
    hook = hook_for(maintainer, receiver, project)
    record_event(Event.Category.SERIES_CREATED, project=project)
    Webhook.objects.filter(pk=hook.pk).update(
        lease_until=timezone.now() + timezone.timedelta(seconds=60), lease_token="other"
    )
    assert run_once().attempts == 0
    Webhook.objects.filter(pk=hook.pk).update(
        lease_until=timezone.now() - timezone.timedelta(seconds=1)
    )  # that worker died: its lease ran out
    assert run_once().delivered == 1


def test_owner_account_disabled_stops_deliveries(project, receiver, loopback_allowed):
    owner = UserFactory()
    project.maintainers.add(owner)
    hook_for(owner, receiver, project)
    owner.is_active = False
    owner.save()
    record_event(Event.Category.SERIES_CREATED, project=project)
    assert not Delivery.objects.exists()
