"""The benchmark's own SQL against the real schema (PostgreSQL only): the post-ingest
shaping, the choice of measured rows, every SQL floor and the growth to 1M patches."""

import pytest
from django.db import connection

from bench import dataset, floors, scale
from bench.endpoints import read_endpoints, write_endpoints
from bench.postgres import connect
from events.models import Event
from patches.models import Check, Patch
from tests.factories import (
    CoverFactory,
    EventFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = [
    # Committed rows, so the benchmark's own psycopg connection sees them; serialized
    # rollback brings back the default states that flushing removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmark's SQL is PostgreSQL's"
    ),
]

FLOORS = [
    floors.patch_list_floor(1),
    floors.patch_list_floor(200),
    floors.patch_detail_floor,
    floors.series_list_floor,
    floors.series_detail_floor,
    floors.events_floor,
    floors.checks_floor,
    floors.patch_mbox_floor,
    floors.series_mbox_floor,
    floors.people_floor,
]


def database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "localhost"
    port = settings["PORT"] or "5432"
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def ingested_project():
    """A project as ingest leaves it: a 10-patch series with a cover, single patches,
    review comments, series-completed events, and the benchmark's two users."""
    UserFactory(username=dataset.MAINTAINER)
    UserFactory(username=dataset.CI_BOT)
    project = ProjectFactory(linkname="alpha")
    submitter = PersonFactory(name="Ada Lovelace", email="ada@example.org")
    PersonFactory(name="Bob Lovelace", email="bob@example.org")
    series = SeriesFactory(
        project=project,
        submitter=submitter,
        total=10,
        received_total=10,
        cover_letter=CoverFactory(project=project, submitter=submitter),
    )
    patches = [
        PatchFactory(project=project, submitter=submitter, series=series, number=n)
        for n in range(1, 11)
    ]
    patches += PatchFactory.create_batch(5, project=project, submitter=submitter)
    PatchCommentFactory(patch=patches[0])
    for _ in range(25):
        EventFactory(project=project, category=Event.Category.SERIES_COMPLETED, series=series)
    return project


def test_shaping_archives_old_patches_and_adds_checks(ingested_project):
    touched = dataset.shape_after_ingest(database_url())
    assert touched == {"patches_shaped": 15, "checks_added": 30, "check_events_added": 30}
    assert Check.objects.filter(user__username=dataset.CI_BOT).count() == 30
    archived = Patch.objects.filter(archived=True)
    assert archived.exists()
    assert not archived.filter(state__slug__in=["new", "under-review"]).exists()
    assert Patch.objects.filter(archived=False).count() < 15


def test_targets_pick_rows_of_the_busiest_project(ingested_project):
    dataset.shape_after_ingest(database_url())
    targets = dataset.select_targets(database_url(), "t" * 40, per_page=30)
    assert targets.linkname == "alpha"
    assert len(targets.detail_patch_ids) == 15
    assert len(targets.ten_patch_series_ids) == 1
    assert targets.people_query == "lovelace"
    assert targets.list_pages == 1
    assert targets.as_dict()["token"] == "<redacted>"
    paths = [
        request["path"]
        for e in read_endpoints(targets) + write_endpoints(targets)
        for request in e.requests
    ]
    assert all(path.startswith("/") and " " not in path for path in paths)


@pytest.mark.parametrize("floor", FLOORS)
def test_every_floor_runs_against_the_schema(ingested_project, floor):
    url = database_url()
    dataset.shape_after_ingest(url)
    targets = dataset.select_targets(url, "t" * 40, per_page=30)
    with connect(url) as psycopg_connection:
        timing = floors.measure_floor(psycopg_connection, floor, targets, repeats=3)
    assert timing["runs"] == 3
    assert timing["p50_ms"] >= timing["min_ms"] > 0


def test_growth_adds_older_archived_history(ingested_project):
    url = database_url()
    totals = scale.grow_to_million(url)
    assert totals["patches"] == 15 * (scale.COPIES_FOR_1M + 1)
    assert totals["events"] == 25 * (scale.COPIES_FOR_1M + 1)
    copies = Patch.objects.filter(msgid__startswith="<history")
    assert not copies.filter(archived=False).exists()
    newest_copy = copies.order_by("-date").first()
    assert (
        newest_copy.date
        < Patch.objects.exclude(msgid__startswith="<history").earliest("date").date
    )
