"""parsemail, parsearchive and quarantine through call_command: results and exit codes."""

import gzip
import io
import json
import lzma

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from covers.models import Cover
from ingest.models import FailedMail, UnattachedMail
from patches.models import Patch, PatchComment
from patchwork_api.limits import QUARANTINE_MAX_ATTEMPTS
from tests.conftest import shared_path
from tests.factories import SAMPLE_DIFF, ProjectFactory

pytestmark = pytest.mark.django_db

LIST_ID = "dev.example.org"


@pytest.fixture
def project():
    return ProjectFactory(listid=LIST_ID, linkname="dev")


def raw_mail(msgid="<one@example.org>", subject="[PATCH] fix it", body=None, **headers):
    """A mail as the MTA delivers it."""
    lines = [
        "From: Jo Doe <jo@example.org>",
        f"Subject: {subject}",
        f"Message-Id: {msgid}",
        "Date: Mon, 01 Jan 2024 12:00:00 +0000",
        f"List-Id: Dev list <{LIST_ID}>",
    ]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    text = (
        body
        if body is not None
        else f"The fix.\n\nSigned-off-by: Jo <jo@example.org>\n---\n{SAMPLE_DIFF}"
    )
    return ("\n".join(lines) + "\n\n" + text).encode()


def mbox(*mails: bytes) -> bytes:
    return b"".join(
        b"From someone@example.org Mon Jan  1 12:00:00 2024\n" + mail + b"\n" for mail in mails
    )


def parsemail(*args, stdin: bytes | None = None):
    return call_command("parsemail", *args, stdin=io.BytesIO(stdin) if stdin is not None else None)


class TestParsemail:
    def test_a_patch_from_stdin_is_stored(self, project):
        parsemail(stdin=raw_mail())

        patch = Patch.objects.get()
        assert (patch.msgid, patch.name, patch.project) == ("<one@example.org>", "fix it", project)

    def test_a_text_stream_is_read_too(self, project):
        call_command("parsemail", stdin=io.StringIO(raw_mail().decode()))

        assert Patch.objects.count() == 1

    def test_a_mail_from_a_file(self, project, tmp_path):
        path = tmp_path / "mail.eml"
        path.write_bytes(raw_mail())

        parsemail(str(path))

        assert Patch.objects.count() == 1

    def test_list_id_overrides_the_headers(self, project):
        other = ProjectFactory(listid="other.example.org")

        parsemail("--list-id", "other.example.org", stdin=raw_mail())

        assert Patch.objects.get().project == other

    def test_an_unknown_list_exits_zero_and_logs(self, project, caplog):
        parsemail("--list-id", "nowhere.example.org", stdin=raw_mail())

        assert not Patch.objects.exists()
        assert "no project for list-id 'nowhere.example.org'" in caplog.text

    def test_an_unparseable_mail_exits_zero_and_logs_its_message_id(self, project, caplog):
        without_from = b"Subject: hello\nMessage-Id: <broken@example.org>\n\nbody\n"

        parsemail(stdin=without_from)

        assert "<broken@example.org>" in caplog.text
        assert "Missing 'From' header" in caplog.text
        assert not FailedMail.objects.exists()

    def test_a_duplicate_exits_zero(self, project):
        parsemail(stdin=raw_mail())
        parsemail(stdin=raw_mail())

        assert Patch.objects.count() == 1

    def test_a_database_error_exits_75_and_keeps_the_mail_pending(
        self, project, monkeypatch, caplog
    ):
        monkeypatch.setattr(
            "ingest.services.store_mail", raising(OperationalError("server closed the connection"))
        )

        with pytest.raises(CommandError) as error:
            parsemail(stdin=raw_mail())

        assert error.value.returncode == 75
        failed = FailedMail.objects.get()
        assert (failed.msgid, bytes(failed.raw)) == ("<one@example.org>", raw_mail())
        assert failed.state == FailedMail.State.PENDING
        assert "server closed the connection" in failed.error
        assert "<one@example.org>: deferred, kept in quarantine" in caplog.text
        assert "Traceback" not in caplog.text

    def test_a_mail_that_breaks_the_store_is_set_aside_and_answered_zero(
        self, project, monkeypatch, caplog
    ):
        """A bug or a value the database refuses fails the same way on every delivery:
        deferring it would only hold the MTA's queue."""
        monkeypatch.setattr("ingest.services.store_mail", raising(RuntimeError("bug")))

        parsemail(stdin=raw_mail())
        parsemail(stdin=raw_mail())

        failed = FailedMail.objects.get()
        assert (failed.state, failed.attempts) == (FailedMail.State.SET_ASIDE, 2)
        assert "<one@example.org>: set aside, kept in quarantine" in caplog.text

    def test_a_temporary_failure_is_set_aside_after_the_last_attempt(self, project, monkeypatch):
        monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("locked")))
        statuses = []
        for _ in range(QUARANTINE_MAX_ATTEMPTS):
            try:
                parsemail(stdin=raw_mail())
                statuses.append(0)
            except CommandError as error:
                statuses.append(error.returncode)

        assert statuses == [75] * (QUARANTINE_MAX_ATTEMPTS - 1) + [0]
        failed = FailedMail.objects.get()
        assert (failed.state, failed.attempts) == (
            FailedMail.State.SET_ASIDE,
            QUARANTINE_MAX_ATTEMPTS,
        )

    def test_without_a_database_the_mail_goes_to_the_quarantine_directory(
        self, project, monkeypatch, settings, tmp_path
    ):
        settings.QUARANTINE_DIR = tmp_path
        monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("down")))
        monkeypatch.setattr("ingest.quarantine._save", raising(OperationalError("down")))

        with pytest.raises(CommandError) as error:
            parsemail("--list-id", LIST_ID, stdin=raw_mail())

        assert error.value.returncode == 75
        [saved] = tmp_path.glob("*.eml")
        assert saved.read_bytes() == raw_mail()
        meta = json.loads(saved.with_suffix(".json").read_text())
        assert (meta["msgid"], meta["list_id"]) == ("<one@example.org>", LIST_ID)
        assert "down" in meta["error"]

    def test_with_nowhere_to_keep_the_mail_it_exits_75_with_a_log_line(
        self, project, monkeypatch, settings, tmp_path, caplog
    ):
        """The MTA's copy is then the only one: even --exit-zero must not answer 0."""
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        settings.QUARANTINE_DIR = blocker / "quarantine"
        monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("down")))
        monkeypatch.setattr("ingest.quarantine._save", raising(OperationalError("down")))

        with pytest.raises(CommandError) as error:
            parsemail("--exit-zero", stdin=raw_mail())

        assert error.value.returncode == 75
        assert "<one@example.org>: kept nowhere" in caplog.text

    def test_an_unreadable_file_exits_66(self, project, tmp_path):
        with pytest.raises(CommandError) as error:
            parsemail(str(tmp_path / "missing.eml"))

        assert error.value.returncode == 66

    def test_the_help_documents_the_exit_status(self, capsys):
        with pytest.raises(SystemExit):
            call_command("parsemail", "--help")

        help_text = capsys.readouterr().out
        assert "Exit status (sysexits.h)" in help_text
        for line in ("  0   the mail is handled", "  75  EX_TEMPFAIL", "  78  EX_CONFIG"):
            assert line in help_text
        assert "Never 65 (EX_DATAERR)" in help_text


def raising(error):
    def fail(*args, **kwargs):
        raise error

    return fail


class TestParsearchive:
    def write(self, tmp_path, name, data, opener=open):
        path = tmp_path / name
        with opener(path, "wb") as stream:
            stream.write(data)
        return path

    @pytest.mark.parametrize(
        ("name", "opener", "jobs"),
        [
            ("list.mbox", open, "1"),
            ("list.mbox", open, "3"),
            ("list.mbox.gz", gzip.open, "2"),
            ("list.mbox.xz", lzma.open, "2"),
        ],
    )
    def test_a_series_with_a_reply_and_the_json_summary(
        self, project, tmp_path, name, opener, jobs
    ):
        cover = raw_mail("<c@x>", "[PATCH 0/1] cover", body="A series.\n")
        patch = raw_mail("<p@x>", "[PATCH 1/1] one", In_Reply_To="<c@x>")
        reply = raw_mail(
            "<r@x>", "Re: [PATCH 1/1] one", body="Acked-by: A <a@x>\n", In_Reply_To="<p@x>"
        )
        other = raw_mail("<o@x>", "[ANNOUNCE] 1.0", body="Released.\n")
        path = self.write(tmp_path, name, mbox(cover, patch, reply, other, patch), opener)
        output = io.StringIO()

        call_command("parsearchive", "--json", "--jobs", jobs, str(path), stdout=output)

        summary = json.loads(output.getvalue())
        expected = {
            "messages": 5,
            "patches": 1,
            "cover_letters": 1,
            "comments": 1,
            "waiting": 0,
            "duplicates": 1,
            "ignored": 0,
            "dropped": 1,
            "unparseable": 0,
            "errors": 0,
        }
        assert {key: summary[key] for key in expected} == expected
        assert Cover.objects.get().series == Patch.objects.get().series

    def test_the_text_summary(self, project, tmp_path):
        path = self.write(tmp_path, "list.mbox", mbox(raw_mail()))
        output = io.StringIO()

        call_command("parsearchive", str(path), stdout=output)

        assert "messages read" in output.getvalue()
        assert "patches                      1" in output.getvalue()

    def test_one_bad_mail_does_not_stop_the_import(self, project, tmp_path, monkeypatch):
        from ingest import services

        real_store = services.store_mail

        def store_failing_once(parsed, **kwargs):
            if parsed.msgid == "<bad@x>":
                raise RuntimeError("store bug")
            return real_store(parsed, **kwargs)

        monkeypatch.setattr("ingest.services.store_mail", store_failing_once)
        mails = [raw_mail("<a@x>"), raw_mail("<bad@x>"), raw_mail("<b@x>")]
        path = self.write(tmp_path, "list.mbox", mbox(*mails))
        output = io.StringIO()

        with pytest.raises(CommandError) as error:
            call_command("parsearchive", "--json", str(path), stdout=output)

        assert error.value.returncode == 1
        assert json.loads(output.getvalue())["errors"] == 1
        assert set(Patch.objects.values_list("msgid", flat=True)) == {"<a@x>", "<b@x>"}
        assert FailedMail.objects.get().msgid == "<bad@x>"

    def test_replies_whose_parent_never_came_are_settled_at_the_end(self, project, tmp_path):
        orphan = raw_mail("<r@x>", "Re: lost", body="Hm.\n", In_Reply_To="<lost@x>")
        path = self.write(tmp_path, "list.mbox", mbox(orphan))
        output = io.StringIO()

        call_command("parsearchive", "--json", str(path), stdout=output)

        summary = json.loads(output.getvalue())
        assert (summary["waiting"], summary["dropped"]) == (0, 1)
        assert UnattachedMail.objects.get().status == "dropped"

    def test_keep_waiting_leaves_them_for_a_later_import(self, project, tmp_path):
        patch = raw_mail("<p@x>")
        reply = raw_mail("<r@x>", "Re: fix it", body="Nice.\n", In_Reply_To="<p@x>")
        first = self.write(tmp_path, "replies.mbox", mbox(reply))
        second = self.write(tmp_path, "patches.mbox", mbox(patch))
        output = io.StringIO()

        call_command("parsearchive", "--json", "--keep-waiting", str(first), stdout=output)
        assert json.loads(output.getvalue())["waiting"] == 1
        call_command("parsearchive", str(second), stdout=io.StringIO())

        assert PatchComment.objects.get().msgid == "<r@x>"

    def test_a_maildir(self, project, tmp_path):
        for index, mail in enumerate([raw_mail("<a@x>"), raw_mail("<b@x>")]):
            (tmp_path / "maildir" / "new").mkdir(parents=True, exist_ok=True)
            (tmp_path / "maildir" / "new" / f"{index}.eml").write_bytes(mail)
        (tmp_path / "maildir" / "cur").mkdir()

        call_command("parsearchive", str(tmp_path / "maildir"), stdout=io.StringIO())

        assert Patch.objects.count() == 2

    def test_a_missing_path_exits_two(self, project, tmp_path):
        with pytest.raises(CommandError) as error:
            call_command("parsearchive", str(tmp_path / "nothing.mbox"))

        assert error.value.returncode == 2

    def test_a_truncated_archive_counts_an_error_and_keeps_what_was_read(self, project, tmp_path):
        data = lzma.compress(mbox(raw_mail("<a@x>"), raw_mail("<b@x>")))
        path = self.write(tmp_path, "cut.mbox.xz", data[: len(data) - 20])
        output = io.StringIO()

        with pytest.raises(CommandError):
            call_command("parsearchive", "--json", str(path), stdout=output)

        assert json.loads(output.getvalue())["errors"] == 1

    def test_the_patchwork_mail_samples_never_fail(self, project):
        directory = shared_path("corpus", "patchwork-testdata", "mail")
        output = io.StringIO()

        call_command(
            "parsearchive",
            "--json",
            "--list-id",
            LIST_ID,
            *sorted(map(str, directory.iterdir())),
            stdout=output,
        )

        summary = json.loads(output.getvalue())
        assert summary["errors"] == 0
        assert summary["messages"] == len(list(directory.iterdir()))


class TestQuarantine:
    @pytest.fixture
    def failed(self, project):
        return FailedMail.objects.create(
            msgid="<one@example.org>", error="RuntimeError: bug", raw=raw_mail()
        )

    def test_list_shows_unresolved_mails(self, failed):
        FailedMail.objects.create(msgid="<done@x>", error="old", raw=b"", state="resolved")
        output = io.StringIO()

        call_command("quarantine", "list", stdout=output)

        assert "<one@example.org>" in output.getvalue()
        assert "<done@x>" not in output.getvalue()

    def test_show_prints_the_error_and_the_mail(self, failed):
        output = io.StringIO()

        call_command("quarantine", "show", str(failed.id), stdout=output)

        assert "RuntimeError: bug" in output.getvalue()
        assert "Subject: [PATCH] fix it" in output.getvalue()

    def test_retry_stores_the_mail_and_resolves_it(self, failed):
        output = io.StringIO()

        call_command("quarantine", "retry", stdout=output)

        assert Patch.objects.get().msgid == "<one@example.org>"
        failed.refresh_from_db()
        assert failed.resolved
        assert "<one@example.org>: stored as patch" in output.getvalue()

    def test_a_retry_that_fails_again_exits_one(self, failed, monkeypatch):
        monkeypatch.setattr("ingest.services.store_mail", raising(RuntimeError("still broken")))

        with pytest.raises(CommandError) as error:
            call_command("quarantine", "retry", str(failed.id), stdout=io.StringIO())

        assert error.value.returncode == 1
        failed.refresh_from_db()
        assert (failed.resolved, failed.attempts) == (False, 2)
        assert "still broken" in failed.error
        assert FailedMail.objects.count() == 1

    def test_an_unknown_id_exits_two(self, failed):
        with pytest.raises(CommandError) as error:
            call_command("quarantine", "show", "999999")

        assert error.value.returncode == 2

    def test_purge_deletes_resolved_mails_only(self, failed):
        FailedMail.objects.create(msgid="<done@x>", error="old", raw=b"", state="resolved")

        call_command("quarantine", "purge", stdout=io.StringIO())

        assert list(FailedMail.objects.values_list("msgid", flat=True)) == ["<one@example.org>"]

    def test_waiting_and_flush(self, project):
        parsemail(stdin=raw_mail("<r@x>", "Re: x", body="Hm.\n", In_Reply_To="<lost@x>"))
        output = io.StringIO()

        call_command("quarantine", "waiting", stdout=output)
        assert "<r@x>" in output.getvalue()
        assert "waiting for <lost@x>" in output.getvalue()

        call_command("quarantine", "flush", stdout=output)
        assert "0 comments, 1 dropped" in output.getvalue()
        assert UnattachedMail.objects.get().status == "dropped"
