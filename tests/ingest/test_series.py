"""Series assembly on Patchwork's own series mails, in order and in every arrival order."""

import datetime
import io
import itertools
from dataclasses import dataclass

import pytest

from events.models import Event
from ingest.archives import Archive, mbox_messages
from ingest.parser import parse_mail
from ingest.store import IngestContext, Outcome, store_mail
from patches.models import Patch
from series.models import Series
from tests.conftest import shared_path
from tests.factories import ParsedMailFactory, ProjectFactory

pytestmark = pytest.mark.django_db

LIST_ID = "series.example.org"


@dataclass(frozen=True)
class Expected:
    """Patchwork's test_series.py: mails parsed as (covers, patches, others), then the
    number of patches and of cover letters of each series, series in date order."""

    counts: tuple[int, int, int]
    patches_per_series: tuple[int, ...]
    covers_per_series: tuple[int, ...] | None = None
    received_all: bool | None = None


EXPECTED = {
    "base-single-patch.mbox": Expected((0, 1, 0), (1,)),
    "base-cover-letter.mbox": Expected((1, 2, 0), (2,), (1,), received_all=True),
    "base-no-cover-letter.mbox": Expected((0, 2, 0), (2,)),
    "base-deep-threaded.mbox": Expected((1, 2, 0), (2,), (1,)),
    "base-out-of-order.mbox": Expected((1, 2, 0), (2,), (1,)),
    "base-different-versions.mbox": Expected((1, 4, 0), (4,), (1,)),
    "base-no-references.mbox": Expected((0, 2, 0), (2,)),
    "base-no-references-no-cover.mbox": Expected((1, 2, 0), (2,), (1,)),
    "base-incomplete.mbox": Expected((1, 1, 0), (1,), (1,), received_all=False),
    "base-extra-patches.mbox": Expected((1, 3, 0), (3,), (1,), received_all=True),
    "bugs-multiple-references.mbox": Expected((1, 4, 0), (4,), (1,)),
    "bugs-multiple-content-types.mbox": Expected((0, 1, 1), (1,)),
    "bugs-unnumbered.mbox": Expected((1, 2, 0), (1, 1), (1, 0)),
    "bugs-nocover-noversion.mbox": Expected((0, 4, 0), (2, 2)),
    "bugs-nocover.mbox": Expected((0, 4, 0), (2, 2)),
    "bugs-spamming.mbox": Expected((0, 3, 0), (1, 1, 1)),
    "bugs-mixed-versions.mbox": Expected((0, 2, 0), (1, 1)),
    "revision-basic.mbox": Expected((2, 4, 0), (2, 2), (1, 1)),
    "revision-threaded-to-single-patch.mbox": Expected((0, 2, 0), (1, 1)),
    "revision-threaded-to-cover.mbox": Expected((2, 4, 0), (2, 2), (1, 1)),
    "revision-threaded-to-patch.mbox": Expected((2, 4, 0), (2, 2), (1, 1)),
    "revision-out-of-order.mbox": Expected((2, 4, 0), (2, 2), (1, 1)),
    "revision-no-cover-letter.mbox": Expected((1, 4, 0), (2, 2), (1, 0)),
    "revision-unlabeled.mbox": Expected((2, 4, 0), (2, 2), (1, 1)),
    "revision-unlabeled-noreferences.mbox": Expected((0, 4, 0), (2, 2)),
    "mercurial-cover-letter.mbox": Expected((1, 2, 0), (2,), (1,)),
    "mercurial-no-cover-letter.mbox": Expected((0, 2, 0), (2,)),
    "dependency-base-patch.mbox": Expected((1, 2, 0), (2,), (1,), received_all=True),
}


def series_mails(name: str) -> list[bytes]:
    return list(Archive(shared_path("corpus", "patchwork-testdata", "series", name)).messages())


def store_all(raws: list[bytes], project=None) -> tuple[int, int, int]:
    context = IngestContext()
    counts = [0, 0, 0]
    for raw in raws:
        result = store_mail(
            parse_mail(raw, list_id_override=LIST_ID), project=project, context=context
        )
        index = {Outcome.COVER: 0, Outcome.PATCH: 1}.get(result.kind, 2)
        counts[index] += 1
    return tuple(counts)


def shape(project) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Patches and cover letters per series, series in date order."""
    series = list(Series.objects.filter(project=project).order_by("date", "id"))
    patches = tuple(item.patches.count() for item in series)
    covers = tuple(int(item.cover_letter_id is not None) for item in series)
    return patches, covers


def membership(project) -> set[frozenset[str]]:
    """Each series as the set of its mails' Message-IDs (order-free comparison)."""
    groups = []
    for series in Series.objects.filter(project=project):
        msgids = set(series.patches.values_list("msgid", flat=True))
        if series.cover_letter_id:
            msgids.add(series.cover_letter.msgid)
        groups.append(frozenset(msgids))
    return set(groups)


def test_every_series_file_has_an_expectation():
    directory = shared_path("corpus", "patchwork-testdata", "series")
    assert {path.name for path in directory.glob("*.mbox")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_series_as_patchwork_groups_them(name):
    expected = EXPECTED[name]
    project = ProjectFactory(listid=LIST_ID)

    counts = store_all(series_mails(name))

    assert counts == expected.counts
    patches_per_series, covers_per_series = shape(project)
    assert patches_per_series == expected.patches_per_series
    if expected.covers_per_series is not None:
        assert covers_per_series == expected.covers_per_series
    if expected.received_all is not None:
        patch = Patch.objects.filter(project=project).first()
        assert patch.series.received_all is expected.received_all
        assert patch.series.received_total == patch.series.patches.count()


# One file is left out: a second "[PATCH 1/2]" (no version, nine minutes later) replies to
# the first one. Until that first patch arrives nothing tells whether the mail it replies
# to is a cover letter (then both are one series) or a patch 1 (then they are two).
ORDER_DEPENDENT = {"bugs-nocover-noversion.mbox"}


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - ORDER_DEPENDENT))
def test_every_arrival_order_gives_the_same_series(name):
    raws = series_mails(name)
    orders = list(itertools.permutations(range(len(raws))))[:120]
    reference = None
    for order in orders:
        project = ProjectFactory()
        store_all([raws[index] for index in order], project=project)
        groups = membership(project)
        # Patchwork looks cover letter names up in every project: start afresh.
        project.delete()
        if reference is None:
            reference = groups
        assert groups == reference, f"arrival order {order}"


class TestSeriesName:
    """Patchwork's SeriesNameTestCase: cover letter names win, patch 1 names otherwise."""

    @pytest.fixture
    def project(self):
        return ProjectFactory(listid=LIST_ID)

    def store(self, raw):
        return store_mail(parse_mail(raw, list_id_override=LIST_ID)).obj

    def test_the_cover_letter_names_the_series(self, project):
        cover, first, second = series_mails("base-cover-letter.mbox")

        series = self.store(cover).series
        assert series.name == "A sample series"
        for raw in (first, second):
            self.store(raw)
            series.refresh_from_db()
            assert series.name == "A sample series"

    def test_without_cover_letter_patch_one_names_the_series(self, project):
        first, second = series_mails("base-no-cover-letter.mbox")

        patch = self.store(first)
        assert patch.series.name == patch.name == "[1/2] test: Add some lorem ipsum"
        self.store(second)
        patch.series.refresh_from_db()
        assert patch.series.name == patch.name

    def test_names_are_upgraded_as_mails_arrive_out_of_order(self, project):
        second, first, cover = series_mails("base-out-of-order.mbox")

        assert self.store(second).series.name is None
        patch = self.store(first)
        assert patch.series.name == patch.name
        assert self.store(cover).series.name == "A sample series"

    def test_a_name_set_by_a_user_is_kept(self, project):
        second, first, cover = series_mails("base-out-of-order.mbox")
        series = self.store(second).series
        Series.objects.filter(pk=series.pk).update(name="My custom series name")

        self.store(first)
        self.store(cover)

        series.refresh_from_db()
        assert series.name == "My custom series name"


class TestDependencies:
    """Patchwork's SeriesDependencyTestCase: Depends-on lines in a cover or patch."""

    @pytest.fixture
    def project(self):
        return ProjectFactory(listid=LIST_ID, linkname="deps")

    def store_file(self, name, project, **tokens):
        path = shared_path("corpus", "patchwork-testdata", "series", name)
        data = path.read_bytes()
        if tokens:
            data = path.read_text().format(**tokens).encode()
        return [
            store_mail(parse_mail(raw), project=project).obj
            for raw in mbox_messages(io.BytesIO(data))
        ]

    def base(self, project):
        cover, first, second = self.store_file("dependency-base-patch.mbox", project)
        return cover, first, second

    @pytest.mark.parametrize(
        ("template", "token"),
        [
            ("dependency-one-cover.mbox.template", "series-url"),
            ("dependency-one-cover.mbox.template", "patch-url"),
            ("dependency-one-first-patch.mbox.template", "patch-msgid"),
            ("dependency-one-first-patch.mbox.template", "cover-msgid"),
            ("dependency-one-cover.mbox.template", "patch-msgid"),
            ("dependency-one-cover.mbox.template", "second-patch-msgid"),
        ],
    )
    def test_one_dependency(self, project, template, token):
        cover, first, second = self.base(project)
        depends_token = {
            "series-url": f"http://test/project/deps/list/?series={first.series_id}",
            "patch-url": f"http://test/project/deps/patch/{first.msgid.strip('<>')}/",
            "patch-msgid": first.msgid,
            "cover-msgid": cover.msgid,
            "second-patch-msgid": second.msgid,
        }[token]

        _, dependent, _ = self.store_file(template, project, depends_token=depends_token)

        assert list(dependent.series.dependencies.all()) == [first.series]
        assert list(first.series.dependents.all()) == [dependent.series]

    def test_no_dependency_on_itself(self, project):
        own_cover = "<20240611160854.192806-1-ahassick@iol.unh.edu>"

        _, patch, _ = self.store_file(
            "dependency-one-first-patch.mbox.template", project, depends_token=own_cover
        )

        assert not patch.series.dependencies.exists()

    def test_no_dependency_across_projects(self, project):
        _, first, _ = self.base(project)
        elsewhere = ProjectFactory()

        _, patch, _ = self.store_file(
            "dependency-one-first-patch.mbox.template", elsewhere, depends_token=first.msgid
        )

        assert not patch.series.dependencies.exists()

    @pytest.mark.parametrize(
        "template", ["dependency-multi.mbox.template", "dependency-multi-2.mbox.template"]
    )
    def test_several_dependencies_in_order(self, project, template):
        _, first, _ = self.base(project)
        _, second, _ = self.store_file(
            "dependency-one-cover.mbox.template", project, depends_token=first.msgid
        )

        _, third, _ = self.store_file(
            template, project, depends_token_1=first.msgid, depends_token_2=second.msgid
        )

        series1, series2, series3 = first.series, second.series, third.series
        assert list(series3.dependencies.all()) == [series1, series2]
        assert list(series2.dependencies.all()) == [series1]
        assert set(series1.dependents.all()) == {series2, series3}
        assert not series1.dependencies.exists()
        assert not series3.dependents.exists()


class TestOutOfOrder:
    """Hand-made threads arriving in every order give the series of a serial import."""

    def thread(self, style: str) -> list:
        cover = ParsedMailFactory(subject="[PATCH 0/3] cover", diff=None)
        patches = []
        parent = cover
        for number in (1, 2, 3):
            patch = ParsedMailFactory(
                subject=f"[PATCH {number}/3] change {number}",
                in_reply_to=parent.msgid,
                references=[*parent.references, parent.msgid],
            )
            patches.append(patch)
            if style == "chain":
                parent = patch
        return [cover, *patches]

    @pytest.mark.parametrize("style", ["chain", "shallow"])
    def test_a_thread_in_every_order(self, style):
        mails = self.thread(style)
        for order in itertools.permutations(range(len(mails))):
            project = ProjectFactory()
            for index in order:
                store_mail(mails[index], project=project)
            series = Series.objects.get(project=project)
            assert series.patches.count() == 3, order
            assert series.received_total == 3
            assert series.cover_letter.msgid == mails[0].msgid
            assert series.name == "cover"
            assert series.date == mails[0].date
            created = Event.objects.filter(project=project, category="series-created")
            assert created.count() == 1
            assert Event.objects.filter(project=project, category="patch-completed").count() == 3
            project.delete()

    def test_a_resend_threaded_to_the_original_arriving_first(self):
        """A RESEND has the original's version; replying to it must not merge them."""
        original = self.thread("shallow")
        resend_cover = ParsedMailFactory(
            subject="[PATCH RESEND 0/3] cover",
            diff=None,
            in_reply_to=original[0].msgid,
            date=original[0].date + datetime.timedelta(days=3),
        )
        resend = [
            ParsedMailFactory(
                subject=f"[PATCH RESEND {number}/3] change {number}",
                in_reply_to=resend_cover.msgid,
                references=[original[0].msgid, resend_cover.msgid],
                date=resend_cover.date + datetime.timedelta(seconds=number),
            )
            for number in (1, 2, 3)
        ]
        project = ProjectFactory()
        for mail in [
            *resend[1:],
            *original[2:],
            resend_cover,
            original[1],
            resend[0],
            original[0],
        ]:
            store_mail(mail, project=project)

        groups = membership(project)
        assert groups == {
            frozenset(mail.msgid for mail in original),
            frozenset(mail.msgid for mail in [resend_cover, *resend]),
        }

    def test_a_merge_keeps_dependencies_and_one_series_created_event(self):
        """Patch 3 of a chain arrives first (a provisional series of its own, with a
        dependency); patch 2 links it to the series of the cover and patch 1."""
        project = ProjectFactory()
        base = ParsedMailFactory()
        store_mail(base, project=project)
        cover, first, second, third = self.thread("chain")
        third.depends_on = [base.msgid]
        for mail in (third, cover, first):
            store_mail(mail, project=project)
        assert Series.objects.filter(project=project).count() == 3

        store_mail(second, project=project)

        base_series = Patch.objects.get(msgid=base.msgid).series
        merged = Series.objects.get(cover_letter__msgid=cover.msgid)
        assert Series.objects.filter(project=project).count() == 2
        assert set(merged.patches.values_list("number", flat=True)) == {1, 2, 3}
        assert list(merged.dependencies.all()) == [base_series]
        created = Event.objects.filter(category="series-created", series=merged)
        assert created.count() == 1
