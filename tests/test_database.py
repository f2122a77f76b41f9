"""Prepared statements of the compiled read path and the downloads (PostgreSQL).

Their queries are bound on the server and prepared from their second run on a
connection; every other query keeps Django's client-side binding, and
``PREPARED_STATEMENTS = False`` prepares nothing.
"""

import pytest
from django.db import connection
from django.db.backends.postgresql import base as postgresql_base

from patchwork_api.database import prepared_statements
from tests.factories import PatchFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
    ),
]


def prepared_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def read_twice(client, path: str) -> None:
    for _ in range(2):
        answer = client.get(path, HTTP_ACCEPT="application/json", follow=True)
        assert answer.status_code == 200


@pytest.fixture
def patch():
    return PatchFactory()


def test_fast_reads_and_downloads_prepare_their_statements(client, patch):
    before = prepared_count()
    read_twice(client, f"/api/1.2/patches/{patch.pk}/")
    after_detail = prepared_count()
    read_twice(client, f"/patch/{patch.pk}/mbox/")
    read_twice(client, f"/api/1.2/patches/?project={patch.project.linkname}")

    assert after_detail > before
    assert prepared_count() > after_detail


def test_other_queries_keep_client_side_binding(client, patch):
    read_twice(client, f"/api/1.2/patches/{patch.pk}/")
    raw = connection.connection

    # restored after the request: Django's own cursor class, nothing prepared
    assert raw.prepare_threshold is None
    assert raw.cursor_factory is postgresql_base.Cursor
    before = prepared_count()
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int", [1])
    assert prepared_count() == before


def test_restored_when_the_block_raises(patch):
    connection.ensure_connection()
    raw = connection.connection
    saved = raw.cursor_factory, raw.prepare_threshold

    def fail_inside() -> None:
        with prepared_statements():
            assert raw.prepare_threshold is not None
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()

    assert (raw.cursor_factory, raw.prepare_threshold) == saved


def test_setting_off_prepares_nothing(client, patch, settings):
    settings.PREPARED_STATEMENTS = False
    before = prepared_count()

    read_twice(client, f"/api/1.2/patches/{patch.pk}/")
    read_twice(client, f"/api/1.2/patches/?project={patch.project.linkname}")

    assert prepared_count() == before
