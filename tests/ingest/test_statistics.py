"""Planner statistics refreshed while a bulk import grows the tables."""

import pytest
from django.db import connection

from ingest.store import statistics
from ingest.store.statistics import PlannerStatistics, refresh_statistics
from tests.factories import PatchFactory


def test_statistics_are_refreshed_each_time_the_stored_count_doubles(monkeypatch):
    refreshed_at = []
    tracker = PlannerStatistics(first_refresh_after=3)
    monkeypatch.setattr(
        statistics, "refresh_statistics", lambda: refreshed_at.append(tracker.stored)
    )

    for _ in range(30):
        tracker.mail_stored()

    assert refreshed_at == [3, 6, 12, 24]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_refresh_gives_the_planner_the_rows_a_table_holds():
    PatchFactory.create_batch(3)

    refresh_statistics()

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'patches_patch'")
        assert cursor.fetchone()[0] == 3
