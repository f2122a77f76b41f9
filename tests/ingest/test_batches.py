"""parsearchive's batches: many mails per transaction, each still stored whole or not at all.

A batch must store exactly what one transaction per mail stores, events included (they
are queued and written at the end of the batch), and a failing mail must cost only
itself.
"""

import datetime

import pytest
from django.core.management import call_command

from events.models import Event
from ingest import series as series_assembly
from ingest import services
from ingest.models import FailedMail
from ingest.services import Status, ingest_mail, parse_raw, store_batches
from ingest.store import IngestContext, batch
from patches.models import Patch
from series.models import Series
from tests.conftest import shared_path
from tests.factories import SAMPLE_DIFF, ProjectFactory
from tests.ingest.manifest import corpus_mails, shuffled

pytestmark = pytest.mark.django_db

PER_MAIL_LIST = "per-mail.example.org"
BATCHED_LIST = "batched.example.org"


@pytest.fixture
def per_mail_project():
    return ProjectFactory(listid=PER_MAIL_LIST, linkname="per-mail")


@pytest.fixture
def batched_project():
    return ProjectFactory(listid=BATCHED_LIST, linkname="batched")


def mail(msgid, subject, *, parent=None, diff=True, body="The change.\n", minute=0):
    headers = [
        "From: Jo Doe <jo@example.org>",
        f"Subject: {subject}",
        f"Message-Id: <{msgid}@example.org>",
        f"Date: Mon, 01 Jan 2024 12:{minute:02d}:00 +0000",
        "List-Id: <somewhere.example.org>",
    ]
    if parent:
        headers += [f"In-Reply-To: <{parent}@example.org>", f"References: <{parent}@example.org>"]
    text = body + (f"---\n{SAMPLE_DIFF}" if diff else "")
    return ("\n".join(headers) + "\n\n" + text).encode()


def chain_threaded_series() -> list[bytes]:
    """A v1 series (cover, three patches each replying to the one before, a review) and a
    v2 threaded to v1, in an order that makes provisional series meet and merge."""
    cover = mail("cover", "[PATCH 0/3] widgets", diff=False, body="Widgets.\n")
    first = mail("p1", "[PATCH 1/3] widgets: one", parent="cover", minute=1)
    second = mail("p2", "[PATCH 2/3] widgets: two", parent="p1", minute=2)
    third = mail("p3", "[PATCH 3/3] widgets: three", parent="p2", minute=3)
    review = mail(
        "r1", "Re: [PATCH 2/3] widgets: two", parent="p2", diff=False, body="Acked-by: A <a@b>\n"
    )
    v2 = mail("v2", "[PATCH v2] widgets", parent="cover", minute=30)
    return [third, first, review, cover, v2, second]


def event_story(project) -> list[tuple]:
    """The project's events in order, told with Message-IDs (comparable across projects)."""
    members: dict[int, frozenset] = {}
    for series in Series.objects.filter(project=project).prefetch_related("patches"):
        msgids = {patch.msgid for patch in series.patches.all()}
        if series.cover_letter_id:
            msgids.add(series.cover_letter.msgid)
        members[series.id] = frozenset(msgids)
    events = Event.objects.filter(project=project).select_related(
        "patch", "cover", "patch_comment", "cover_comment"
    )
    return [
        (
            event.category,
            event.patch and event.patch.msgid,
            event.cover and event.cover.msgid,
            event.patch_comment and event.patch_comment.msgid,
            event.cover_comment and event.cover_comment.msgid,
            members.get(event.series_id),
        )
        for event in events.order_by("id")
    ]


def store_in_batches(raws, *, max_mails, **options):
    outcomes = (parse_raw(raw, BATCHED_LIST) for raw in raws)
    return list(
        store_batches(
            outcomes,
            context=IngestContext(),
            list_id=BATCHED_LIST,
            max_mails=max_mails,
            **options,
        )
    )


def store_one_by_one(raws):
    return [ingest_mail(raw, list_id=PER_MAIL_LIST) for raw in raws]


@pytest.mark.parametrize("max_mails", [1, 2, 4, 100])
def test_batches_store_what_one_transaction_per_mail_stores(
    per_mail_project, batched_project, max_mails
):
    raws = chain_threaded_series()

    expected = store_one_by_one(raws)
    reports = store_in_batches(raws, max_mails=max_mails)

    assert [report.kind for report in reports] == [report.kind for report in expected]
    assert event_story(batched_project) == event_story(per_mail_project)
    assert Series.objects.filter(project=batched_project).count() == 2


def test_a_failing_mail_costs_only_itself(batched_project, monkeypatch):
    real_store = services.store_mail

    def store_failing_on_p1(parsed, **options):
        if parsed.msgid == "<p1@example.org>":
            raise RuntimeError("store bug")
        return real_store(parsed, **options)

    monkeypatch.setattr(services, "store_mail", store_failing_on_p1)

    reports = store_in_batches(chain_threaded_series(), max_mails=100)

    assert [report.status for report in reports].count(Status.FAILED) == 1
    assert FailedMail.objects.get().msgid == "<p1@example.org>"
    stored = set(Patch.objects.values_list("msgid", flat=True))
    assert stored == {"<p2@example.org>", "<p3@example.org>", "<v2@example.org>"}
    # Rolled back, then stored again one by one: every event exists once.
    created = Event.objects.filter(category=Event.Category.PATCH_CREATED)
    assert sorted(created.values_list("patch__msgid", flat=True)) == sorted(stored)


def test_a_read_error_keeps_the_mails_read_before(batched_project):
    def outcomes():
        yield parse_raw(mail("a", "[PATCH] a"), BATCHED_LIST)
        yield parse_raw(mail("b", "[PATCH] b"), BATCHED_LIST)
        raise EOFError("truncated archive")

    stored = store_batches(outcomes(), context=IngestContext(), list_id=BATCHED_LIST)
    reports = [next(stored), next(stored)]
    with pytest.raises(EOFError):
        next(stored)

    assert [report.kind for report in reports] == ["patch", "patch"]
    assert Patch.objects.count() == 2


@pytest.mark.parametrize(("max_mails", "locks"), [(100, 1), (2, 3)])
def test_the_project_lock_is_taken_once_per_batch(batched_project, monkeypatch, max_mails, locks):
    taken = []
    monkeypatch.setattr(batch, "lock_project", taken.append)

    store_in_batches(chain_threaded_series(), max_mails=max_mails)

    assert taken == [batched_project.id] * locks


def test_a_batch_ends_when_its_time_is_up(batched_project, monkeypatch):
    taken = []
    monkeypatch.setattr(batch, "lock_project", taken.append)

    reports = store_in_batches(chain_threaded_series(), max_mails=100, max_seconds=0)

    # Each batch still takes one mail, so the import goes on.
    assert len(reports) == len(taken) == 6


def test_the_batch_size_option(batched_project, tmp_path):
    path = tmp_path / "list.mbox"
    path.write_bytes(
        b"".join(
            b"From x Mon Jan  1 12:00:00 2024\n" + raw + b"\n" for raw in chain_threaded_series()
        )
    )

    call_command("parsearchive", "--list-id", BATCHED_LIST, "--batch-size", "2", str(path))

    assert Patch.objects.count() == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_shuffled_archive_gives_the_same_events_in_batches(per_mail_project, monkeypatch):
    """Series that meet and merge while earlier events of the batch are still queued."""
    shared_path("corpus", "dev-list.mbox.xz")  # skips without the corpus
    raws = shuffled(corpus_mails(), 5)
    store_one_by_one(raws)
    expected = event_story(per_mail_project)
    # Cover letters are matched by name across projects (as Patchwork does): the
    # batched import must not see the first one's.
    per_mail_project.delete()
    batched_project = ProjectFactory(listid=BATCHED_LIST, linkname="batched")
    queued_at_merges = []
    real_merge = series_assembly.merge_series

    def merge_series(source, **options):
        queued_at_merges.append(len(options["events"].batch.events))
        real_merge(source, **options)

    monkeypatch.setattr(series_assembly, "merge_series", merge_series)

    store_in_batches(raws, max_mails=200, max_seconds=60)

    assert event_story(batched_project) == expected
    assert sum(1 for queued in queued_at_merges if queued) > 10


@pytest.mark.parametrize("batched", [False, True])
def test_comments_move_the_updated_date_of_their_patch_and_series_forward(
    batched_project, batched
):
    store_in_batches([mail("p", "[PATCH 1/2] widgets: one")], max_mails=10)
    patch = Patch.objects.get()
    series = patch.series
    long_ago = patch.updated - datetime.timedelta(days=1)
    Patch.objects.update(updated=long_ago)
    Series.objects.filter(pk=series.pk).update(updated=datetime.datetime(2100, 1, 1))
    replies = [
        mail(f"r{index}", "Re: [PATCH 1/2] widgets: one", parent="p", diff=False)
        for index in range(3)
    ]

    if batched:
        store_in_batches(replies, max_mails=10)
    else:
        for raw in replies:
            ingest_mail(raw, list_id=BATCHED_LIST)

    patch.refresh_from_db()
    series.refresh_from_db()
    assert patch.updated > long_ago
    assert series.updated == datetime.datetime(2100, 1, 1)  # never moved back
