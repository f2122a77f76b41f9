"""The admin pages of the quarantine: a failed mail is shown and can be retried."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ingest.models import FailedMail, UnattachedMail
from patches.models import Patch
from tests.factories import SAMPLE_DIFF, ProjectFactory

pytestmark = pytest.mark.django_db

RAW = (
    "From: Jo <jo@example.org>\nSubject: [PATCH] fix\nMessage-Id: <q@example.org>\n"
    f"List-Id: <dev.example.org>\n\nFix.\n---\n{SAMPLE_DIFF}"
).encode()


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("admin", "a@x.org", "x"))
    return client


def test_a_failed_mail_page_shows_the_error_and_the_mail(admin_client):
    failed = FailedMail.objects.create(msgid="<q@example.org>", error="RuntimeError: bug", raw=RAW)

    page = admin_client.get(reverse("admin:ingest_failedmail_change", args=[failed.pk]))

    assert page.status_code == 200
    assert b"RuntimeError: bug" in page.content
    assert b"Subject: [PATCH] fix" in page.content


def test_the_retry_action_stores_the_mail(admin_client):
    ProjectFactory(listid="dev.example.org")
    failed = FailedMail.objects.create(msgid="<q@example.org>", error="RuntimeError: bug", raw=RAW)

    admin_client.post(
        reverse("admin:ingest_failedmail_changelist"),
        {"action": "retry", "_selected_action": [failed.pk]},
    )

    failed.refresh_from_db()
    assert failed.resolved
    assert Patch.objects.get().msgid == "<q@example.org>"


def test_unattached_mails_are_listed(admin_client):
    UnattachedMail.objects.create(
        project=ProjectFactory(), msgid="<r@x>", parent_msgid="<p@x>", status="waiting"
    )

    page = admin_client.get(reverse("admin:ingest_unattachedmail_changelist"))

    assert page.status_code == 200
    assert b"&lt;r@x&gt;" in page.content
