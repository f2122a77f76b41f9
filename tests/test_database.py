"""Prepared statements of the compiled read path's queries by key (PostgreSQL).

They are bound on the server, prepared at their first run on a connection and planned
once (generic plans); every other query keeps Django's client-side binding and is never
prepared; ``PREPARED_STATEMENTS = False`` prepares nothing. The prepared queries are
logged and counted as any other.
"""

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from patchwork_api.database import prepared_cursor
from tests.factories import PatchFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
    ),
]


def prepared_statements() -> list[tuple[str, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return cursor.fetchall()


def read(client, path: str, times: int = 3) -> None:
    for _ in range(times):
        answer = client.get(path, HTTP_ACCEPT="application/json")
        assert answer.status_code == 200
        assert answer.get("Content-Type") == "application/json"


@pytest.fixture
def patch():
    return PatchFactory()


def test_a_patch_read_by_key_is_prepared_once_and_planned_generically(client, patch):
    before = len(prepared_statements())

    read(client, f"/api/1.2/patches/{patch.pk}/")

    statements = prepared_statements()
    assert len(statements) > before
    by_key = [row for row in statements if '"patches_patch"."id" = ANY($1)' in row[0]]
    assert by_key, statements
    assert all(custom == 0 for _, _, custom in by_key)
    assert any(generic >= 3 for _, generic, _ in by_key)


def test_a_list_page_reads_its_columns_by_key(client, patch):
    PatchFactory(project=patch.project)
    read(client, f"/api/1.2/patches/?project={patch.project.linkname}", times=1)

    with CaptureQueriesContext(connection) as queries:
        read(client, f"/api/1.2/patches/?project={patch.project.linkname}", times=1)

    page_keys = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "patches_patch"."id" AS "pk"')
    ]
    assert len(page_keys) == 1  # the page's keys: the table, its filters and order only
    assert "JOIN" not in page_keys[0]
    # the columns, by key, logged with the SQL sent as any other query
    assert any("= ANY($1)" in query["sql"] for query in queries.captured_queries)


def test_other_queries_are_not_prepared(client, patch):
    read(client, f"/api/1.2/patches/{patch.pk}/")
    before = len(prepared_statements())

    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int", [1])
        # DRF's path (the browsable API) runs the ORM's queries
        assert client.get(f"/api/1.2/patches/{patch.pk}/?format=api").status_code == 200

    assert len(prepared_statements()) == before


def test_setting_off_prepares_nothing(client, patch, settings):
    settings.PREPARED_STATEMENTS = False
    before = len(prepared_statements())

    read(client, f"/api/1.2/patches/{patch.pk}/")
    read(client, f"/api/1.2/patches/?project={patch.project.linkname}")

    assert len(prepared_statements()) == before
    assert prepared_cursor(connection) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_the_database_dropped_is_opened_again(client, settings):
    """A persistent connection the database closed (a restart) fails Django's health
    check at the next request, which then reads on a new connection: the prepared
    queries go through that check too (the first read after a restart was a 500)."""
    patch = PatchFactory()
    read(client, f"/api/1.2/patches/?project={patch.project.linkname}", times=1)
    dropped = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    # what the server does when a request starts (Django's test client leaves it out)
    close_old_connections()

    read(client, f"/api/1.2/patches/?project={patch.project.linkname}", times=1)
    read(client, f"/api/1.2/patches/{patch.pk}/", times=1)

    assert connection.connection.info.backend_pid != dropped
