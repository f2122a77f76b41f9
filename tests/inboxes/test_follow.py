"""``manage.py follow-inbox``: every message of a public-inbox v2 archive, in commit order,
through the one store step; rerunning ingests only what is new; an interrupted run
resumes without loss or duplicates."""

import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from inboxes.models import InboxEpoch
from patches.models import Patch
from series.models import Series
from tests.factories import ProjectFactory
from tests.inboxes.layout import GitInbox, PublicInbox, public_inbox_available
from tests.webhooks.mails import patch_mail

pytestmark = pytest.mark.django_db

LIST_ID = "dev.example.org"


@pytest.fixture
def project():
    return ProjectFactory(listid=LIST_ID, linkname="dev")


def follow(source, *options: str) -> str:
    out = io.StringIO()
    call_command("follow-inbox", str(source), *options, stdout=out)
    return out.getvalue()


def series_mails(count: int, *, total: int = 5, series: str = "s") -> list[bytes]:
    return [patch_mail(n, LIST_ID, total=total, series=series) for n in range(1, count + 1)]


def test_every_message_in_commit_order_then_only_new(project, tmp_path):
    inbox = GitInbox(tmp_path / "inbox")
    mails = series_mails(10)
    for raw in mails[:6]:
        inbox.add(raw)

    first = follow(inbox.root)

    assert first.startswith("messages: 6 (patch 6)")
    assert Patch.objects.count() == 6
    assert follow(inbox.root).startswith("messages: 0 (none)")
    for raw in mails[6:]:
        inbox.add(raw)
    assert follow(inbox.root).startswith("messages: 4 (patch 4)")
    assert sorted(Series.objects.values_list("received_total", flat=True)) == [5, 5]
    marker = InboxEpoch.objects.get()
    assert (marker.epoch, marker.messages) == (0, 10)
    assert marker.source == str((tmp_path / "inbox").resolve())


def test_epochs_are_read_in_order_and_removals_skipped(project, tmp_path):
    inbox = GitInbox(tmp_path / "inbox")
    mails = series_mails(10)
    for raw in mails[:5]:
        inbox.add(raw, epoch=0)
    inbox.add(b"removed message\n", epoch=0, name="d")
    for raw in mails[5:]:
        inbox.add(raw, epoch=1)

    output = follow(inbox.root)

    assert output.startswith("messages: 10 (patch 10), removals skipped: 1, quarantined: 0")
    assert list(InboxEpoch.objects.values_list("epoch", "messages")) == [(0, 5), (1, 5)]
    assert Patch.objects.count() == 10


def test_interrupted_run_resumes_without_loss_or_duplicates(project, tmp_path):
    inbox = GitInbox(tmp_path / "inbox")
    for raw in series_mails(12):
        inbox.add(raw)

    follow(inbox.root, "--limit", "5")  # stopped after five messages
    assert Patch.objects.count() == 5
    resumed = follow(inbox.root)

    assert resumed.startswith("messages: 7 (patch 7)")  # no duplicate, none skipped
    assert Patch.objects.count() == 12


def test_rewritten_history_is_read_again_as_duplicates(project, tmp_path):
    inbox = GitInbox(tmp_path / "inbox")
    for raw in series_mails(4):
        inbox.add(raw)
    follow(inbox.root)
    inbox.rewrite_last()  # the marker's commit is gone

    output = follow(inbox.root)

    assert output.startswith("messages: 3 (duplicate 3)")
    assert Patch.objects.count() == 4


def test_list_id_or_project_option(tmp_path):
    other = ProjectFactory(listid="other.example.org", linkname="other")
    inbox = GitInbox(tmp_path / "inbox")
    inbox.add(patch_mail(1, "unrelated.example.org"))
    follow(inbox.root, "--project", "other")
    assert Patch.objects.get().project == other
    with pytest.raises(CommandError, match="no project"):
        follow(inbox.root, "--project", "nope")


def test_git_url_is_mirrored_and_fetched_again(project, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    inbox = GitInbox(tmp_path / "inbox")
    mails = series_mails(6)
    for raw in mails[:3]:
        inbox.add(raw)
    url = f"file://{inbox.root}"

    assert follow(url).startswith("messages: 3 (patch 3)")
    for raw in mails[3:]:
        inbox.add(raw)
    assert follow(url).startswith("messages: 3 (patch 3)")
    assert Patch.objects.count() == 6
    assert InboxEpoch.objects.get().source == url


def test_not_an_archive_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="not a public-inbox v2 archive") as error:
        follow(tmp_path)
    assert error.value.returncode == 2


@pytest.mark.skipif(not public_inbox_available(), reason="Debian's public-inbox is not installed")
def test_archive_made_by_public_inbox(project, tmp_path):
    inbox = PublicInbox(tmp_path / "pi").init()
    mails = series_mails(8, total=4)
    for raw in mails[:5]:
        inbox.deliver(raw)

    assert follow(inbox.root).startswith("messages: 5 (patch 5)")
    for raw in mails[5:]:
        inbox.deliver(raw)
    assert follow(inbox.root).startswith("messages: 3 (patch 3)")
    assert sorted(Series.objects.values_list("received_total", flat=True)) == [4, 4]
    shutil.rmtree(inbox.home)
