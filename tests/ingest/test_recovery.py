"""One quarantine: mail kept in files while the database was down is listed, retried and
picked up automatically (after the next successful delivery, by ingestd); a mail that
keeps failing is set aside with its reason; nothing is lost or stored twice."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from ingest import spool
from ingest.management.commands.ingestd import _pick_up_quarantine
from ingest.models import FailedMail
from ingest.recovery import pick_up
from patches.models import Patch
from patchwork_api.limits import QUARANTINE_MAX_ATTEMPTS
from tests.ingest.test_commands import LIST_ID, parsemail, raising, raw_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantine_dir(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"
    return settings.QUARANTINE_DIR


@pytest.fixture
def project():
    from tests.factories import ProjectFactory

    return ProjectFactory(listid=LIST_ID, linkname="dev")


def kept_in_a_file(quarantine_dir, msgid="<down@example.org>", list_id=""):
    raw = raw_mail(msgid, subject=f"[PATCH] {msgid}")
    spool.keep(quarantine_dir, raw, msgid=msgid, list_id=list_id, error="OperationalError: down")
    return raw


def test_the_next_successful_delivery_stores_what_the_outage_left_in_files(
    project, quarantine_dir, caplog
):
    kept_in_a_file(quarantine_dir, "<down-1@example.org>")
    kept_in_a_file(quarantine_dir, "<down-2@example.org>", list_id=LIST_ID)

    parsemail(stdin=raw_mail("<after@example.org>"))

    stored = set(Patch.objects.values_list("msgid", flat=True))
    assert stored == {"<after@example.org>", "<down-1@example.org>", "<down-2@example.org>"}
    assert spool.mail_files(quarantine_dir) == []
    assert "pick-up: <down-1@example.org>: stored as patch" in caplog.text


def test_the_mta_delivering_again_after_the_pick_up_finds_a_duplicate(project, quarantine_dir):
    raw = kept_in_a_file(quarantine_dir)
    parsemail(stdin=raw_mail("<after@example.org>"))

    parsemail(stdin=raw)  # postfix's retry of the deferred mail

    assert Patch.objects.filter(msgid="<down@example.org>").count() == 1


def test_a_redelivered_mail_resolves_its_quarantined_copy(project, quarantine_dir, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr("ingest.services.store_mail", raising(OperationalError("locked")))
        with pytest.raises(CommandError):
            parsemail(stdin=raw_mail())

    parsemail(stdin=raw_mail())

    assert FailedMail.objects.get().state == FailedMail.State.RESOLVED
    assert Patch.objects.count() == 1


def test_the_same_message_id_from_another_list_is_another_mail(project, quarantine_dir):
    """A cross-posted mail's copies differ (each list adds its List-Id): storing one must
    not resolve the other."""
    FailedMail.objects.create(
        msgid="<one@example.org>",
        error="RuntimeError: bug",
        raw=raw_mail().replace(b"dev.example.org", b"other.example.org"),
        state=FailedMail.State.SET_ASIDE,
    )

    parsemail(stdin=raw_mail())

    assert FailedMail.objects.get().state == FailedMail.State.SET_ASIDE


def test_a_file_that_fails_for_a_reason_of_its_own_is_set_aside_in_the_table(
    project, quarantine_dir, monkeypatch
):
    kept_in_a_file(quarantine_dir)
    monkeypatch.setattr("ingest.services.parse_mail", raising(RecursionError("deep")))

    pickup = pick_up()

    assert [report.kind for report in pickup.reports] == ["error"]
    failed = FailedMail.objects.get()
    assert (failed.msgid, failed.state) == ("<down@example.org>", FailedMail.State.SET_ASIDE)
    assert "RecursionError: deep" in failed.error
    assert spool.mail_files(quarantine_dir) == []


def test_the_pick_up_stops_while_the_database_is_still_down(project, quarantine_dir, monkeypatch):
    kept_in_a_file(quarantine_dir, "<a@example.org>")
    kept_in_a_file(quarantine_dir, "<b@example.org>")
    monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("down")))

    pickup = pick_up()

    assert pickup.interrupted
    assert len(pickup.reports) == 1
    assert len(spool.mail_files(quarantine_dir)) == 2


def test_pending_mails_are_retried_and_set_aside_when_attempts_run_out(
    project, quarantine_dir, monkeypatch
):
    failed = FailedMail.objects.create(
        msgid="<one@example.org>",
        error="OperationalError: locked",
        raw=raw_mail(),
        state=FailedMail.State.PENDING,
        attempts=QUARANTINE_MAX_ATTEMPTS - 1,
    )
    monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("locked")))

    pick_up()

    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (FailedMail.State.SET_ASIDE, QUARANTINE_MAX_ATTEMPTS)
    monkeypatch.undo()
    pick_up()  # set aside: only a hand retries it now
    assert not Patch.objects.exists()
    call_command("quarantine", "retry", str(failed.pk), stdout=io.StringIO())
    assert Patch.objects.get().msgid == "<one@example.org>"


def test_ingestd_picks_up_at_start(project, quarantine_dir):
    kept_in_a_file(quarantine_dir)

    _pick_up_quarantine()

    assert Patch.objects.get().msgid == "<down@example.org>"


def test_quarantine_list_shows_the_files_and_retry_stores_them(project, quarantine_dir):
    kept_in_a_file(quarantine_dir, "<down@example.org>", list_id=LIST_ID)
    output, errors = io.StringIO(), io.StringIO()

    call_command("quarantine", "list", stdout=output, stderr=errors)

    assert "1 mails kept in files meanwhile moved into the quarantine" in errors.getvalue()
    assert "<down@example.org>" in output.getvalue()
    assert "pending, 1 attempt" in output.getvalue()
    assert spool.mail_files(quarantine_dir) == []
    assert FailedMail.objects.get().list_id == LIST_ID

    call_command("quarantine", "retry", stdout=output)

    assert Patch.objects.get().msgid == "<down@example.org>"
    assert FailedMail.objects.get().state == FailedMail.State.RESOLVED


def test_quarantine_list_without_a_database_lists_the_files_and_exits_75(
    project, quarantine_dir, monkeypatch
):
    kept_in_a_file(quarantine_dir)
    monkeypatch.setattr(
        "ingest.management.commands.quarantine.import_spool", raising(OperationalError("down"))
    )
    output = io.StringIO()

    with pytest.raises(CommandError, match="database unavailable: down") as error:
        call_command("quarantine", "list", stdout=output)

    assert error.value.returncode == 75
    assert "<down@example.org>" in output.getvalue()
