"""A Patchwork 2.2/3.0 database (before migrations 0042/0043: patches and cover letters
are rows of ``patchwork_submission``, comments share ``patchwork_comment``) is imported
with its ids. The database is the shared dump taken back to that layout by SQL, with the
cover letters and their comments moved to ids of their own, as those releases number
them in one sequence with patches and patch comments."""

import psycopg
import pytest

from tests.importer.conftest import PostgresDatabase, libpq, suite_postgres_url

SHIFT = 100000
TO_3_0 = f"""
DROP TABLE patchwork_series_dependencies;
ALTER TABLE patchwork_project DROP COLUMN show_dependencies;
DELETE FROM patchwork_event WHERE category LIKE '%comment-created';
ALTER TABLE patchwork_event DROP COLUMN cover_comment_id, DROP COLUMN patch_comment_id;
CREATE TABLE patchwork_submission AS
    SELECT id, msgid, date, headers, content, name, project_id, submitter_id
    FROM patchwork_patch
    UNION ALL
    SELECT id + {SHIFT}, msgid, date, headers, content, name, project_id, submitter_id
    FROM patchwork_cover;
CREATE TABLE patchwork_comment AS
    SELECT id, msgid, date, headers, content, patch_id AS submission_id, submitter_id
    FROM patchwork_patchcomment
    UNION ALL
    SELECT id + {SHIFT}, msgid, date, headers, content, cover_id + {SHIFT}, submitter_id
    FROM patchwork_covercomment;
CREATE TABLE patchwork_coverletter AS SELECT id + {SHIFT} AS submission_ptr_id
    FROM patchwork_cover;
ALTER TABLE patchwork_patch RENAME TO patchwork_patch_3_1;
CREATE TABLE patchwork_patch AS
    SELECT id AS submission_ptr_id, diff, commit_ref, pull_url, delegate_id, state_id,
           archived, hash, number, series_id, related_id, project_id AS patch_project_id
    FROM patchwork_patch_3_1;
DROP TABLE patchwork_patch_3_1, patchwork_cover, patchwork_covercomment,
    patchwork_patchcomment CASCADE;
UPDATE patchwork_series SET cover_letter_id = cover_letter_id + {SHIFT};
UPDATE patchwork_event SET cover_id = cover_id + {SHIFT};
DELETE FROM django_migrations WHERE app = 'patchwork' AND name >= '0042';
"""


@pytest.fixture
def patchwork_3_0(patchwork_source):
    database = PostgresDatabase.create(suite_postgres_url(), "pw30")
    database.drop()
    database._execute(f'CREATE DATABASE "{database.name}" TEMPLATE "{patchwork_source.name}"')
    try:
        with psycopg.connect(libpq(database.url)) as connection:
            connection.execute(TO_3_0)
        yield database
    finally:
        database.drop()


def test_a_3_0_database_is_imported_with_its_ids(fresh_target, patchwork_3_0):
    result = fresh_target.run("import-patchwork", "--from", patchwork_3_0.url)
    assert result.returncode == 0, result.stderr
    assert "Patchwork 3.0 (migration 0041_python3)" in result.stdout
    query = fresh_target.database.query
    assert query("SELECT count(*), min(id), max(id) FROM patches_patch") == [(1529, 1, 1529)]
    assert query("SELECT count(*), min(id), max(id) FROM covers_cover") == [
        (287, SHIFT + 1, SHIFT + 287)
    ]
    assert query("SELECT count(*), max(id) FROM patches_patchcomment") == [(1025, 1025)]
    assert query("SELECT count(*), min(id) FROM covers_covercomment") == [(264, SHIFT + 1)]
    assert query("SELECT cover_letter_id FROM series_series WHERE id = 17") == [(SHIFT + 5,)]
    assert query(
        "SELECT id, related_id, state_id, archived FROM patches_patch WHERE id IN (11, 364) "
        "ORDER BY id"
    ) == [(11, 1, 9, False), (364, None, 3, True)]
    assert query("SELECT count(*) FROM covers_covercomment WHERE addressed IS NOT NULL") == [(0,)]
    assert query("SELECT count(*) FROM events_event WHERE cover_id > %s", (SHIFT,)) == [(287,)]
