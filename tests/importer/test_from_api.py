"""``import-patchwork --from-api``: an instance read through its REST API 1.3 keeps the
ids, dates, states, checks, comments (with ``addressed``), series, bundles and events
the API shows, and the token's owner with that token.

The source is this server serving the shared dump's ``testdata`` project (imported from
the database first), so that the walk over every patch stays a few hundred requests."""

import psycopg
import pytest

from tests.e2e.server import Server
from tests.importer.conftest import SOURCE_TIME_ZONE, libpq, make_target

# The dump without the ``dev`` project (id 1): its rows are deleted child tables first,
# as Patchwork's database has no ON DELETE CASCADE.
ONLY_TESTDATA = """
DELETE FROM patchwork_event WHERE project_id = 1;
DELETE FROM patchwork_check x USING patchwork_patch p
    WHERE p.id = x.patch_id AND p.project_id = 1;
DELETE FROM patchwork_patchtag x USING patchwork_patch p
    WHERE p.id = x.patch_id AND p.project_id = 1;
DELETE FROM patchwork_bundlepatch;
DELETE FROM patchwork_bundle;
DELETE FROM patchwork_patchcomment x USING patchwork_patch p
    WHERE p.id = x.patch_id AND p.project_id = 1;
DELETE FROM patchwork_covercomment x USING patchwork_cover c
    WHERE c.id = x.cover_id AND c.project_id = 1;
DELETE FROM patchwork_patch WHERE project_id = 1;
DELETE FROM patchwork_patchrelation;
DELETE FROM patchwork_seriesreference WHERE project_id = 1;
DELETE FROM patchwork_series WHERE project_id = 1;
DELETE FROM patchwork_cover WHERE project_id = 1;
DELETE FROM patchwork_delegationrule;
DELETE FROM patchwork_userprofile_maintainer_projects WHERE project_id = 1;
DELETE FROM patchwork_project WHERE id = 1;
UPDATE patchwork_patch SET state_id = 11, delegate_id = 2 WHERE id = 1471;
INSERT INTO patchwork_bundle (id, name, public, owner_id, project_id)
    VALUES (7, 'queue', true, 2, 2), (8, 'mine', false, 2, 2), (9, 'theirs', false, 3, 2);
INSERT INTO patchwork_bundlepatch (id, "order", bundle_id, patch_id)
    VALUES (1, 1, 7, 1473), (2, 2, 7, 1471), (3, 1, 8, 1480), (4, 1, 9, 1480);
UPDATE patchwork_patchcomment SET addressed = true
    WHERE id = (SELECT min(id) FROM patchwork_patchcomment);
"""
MAINT_TOKEN = "595d57bca7c30dddd953b4e14f95a7e0c84a2e8e"

# (table, columns compared between the database import and the API import)
COMPARED = [
    ("projects_project", "id, linkname, name, listid, listemail, web_url, scm_url, "
     "webscm_url, list_archive_url, list_archive_url_format, commit_url_format"),
    ("covers_cover", "id, msgid, date, name, project_id, submitter_id, content"),
    ("series_series", "id, project_id, cover_letter_id, name, date, submitter_id, version, "
     "total, received_total"),
    ("patches_patch", "id, msgid, date, name, project_id, submitter_id, content, diff, "
     "pull_url, commit_ref, hash, delegate_id, archived, series_id, number"),
    ("patches_patchcomment", "id, msgid, date, patch_id, submitter_id, content, addressed"),
    ("covers_covercomment", "id, msgid, date, cover_id, submitter_id, content, addressed"),
    ("patches_check", "id, patch_id, user_id, date, state, target_url, description, context"),
    ("events_event", "id, project_id, category, actor_id, date, patch_id, series_id, "
     "cover_id, created_check_id, patch_comment_id, cover_comment_id"),
    ("people_person", "id, name, email"),
    ("auth_user", "id, username, first_name, last_name, email"),
]  # fmt: skip


@pytest.fixture(scope="module")
def testdata_site(patchwork_source, migrated, tmp_path_factory):
    """The testdata project imported from its database and served by gunicorn."""
    database_import = make_target("apisource", tmp_path_factory, migrated)
    source = type(patchwork_source).create(patchwork_source.admin_url, "pwtestdata")
    try:
        source.drop()
        source._execute(f'CREATE DATABASE "{source.name}" TEMPLATE "{patchwork_source.name}"')
        with psycopg.connect(libpq(source.url)) as connection:
            connection.execute(ONLY_TESTDATA)
        database_import.manage("import-patchwork", "--from", source.url)
        server = Server(database_import.environment, tmp_path_factory.mktemp("api") / "log")
        server.start()
        try:
            yield database_import, server
        finally:
            server.stop()
    finally:
        source.drop()
        database_import.database.drop()


def test_the_api_import_keeps_what_the_api_shows(testdata_site, fresh_target):
    database_import, server = testdata_site
    result = fresh_target.run(
        "import-patchwork", "--from-api", f"{server.url}/api/1.3/", "--token", MAINT_TOKEN,
        "--source-time-zone", SOURCE_TIME_ZONE,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for table, columns in COMPARED:
        query = f"SELECT {columns} FROM {table} ORDER BY id"
        names = [name.strip() for name in columns.split(",")]
        ours = fresh_target.database.query(query)
        theirs = database_import.database.query(query)
        differences = [
            (table, mine[0], name, a, b)
            for mine, other in zip(ours, theirs, strict=False)
            for name, a, b in zip(names, mine, other, strict=True)
            if a != b
        ]
        assert (len(ours), differences[:5]) == (len(theirs), []), table
    ours = fresh_target.database.query
    # Custom state by slug (a new id here), the maintainer and its token, private bundles.
    assert ours(
        "SELECT s.slug, s.name FROM patches_patch p JOIN patches_state s ON s.id = p.state_id "
        "WHERE p.id = 1471"
    ) == [("needs-ack", "Needs ack")]
    assert ours("SELECT key, user_id FROM authtoken_token") == [(MAINT_TOKEN, 2)]
    assert ours("SELECT items_per_page, show_ids FROM people_userprofile WHERE user_id = 2") == [
        (50, True)
    ]
    assert ours("SELECT id FROM bundles_bundle ORDER BY id") == [(7,), (8,)]
    assert ours("SELECT project_id, user_id FROM projects_project_maintainers") == [(2, 2)]


def test_the_api_import_needs_the_source_time_zone(testdata_site, fresh_target):
    _database_import, server = testdata_site
    result = fresh_target.run("import-patchwork", "--from-api", f"{server.url}/api/1.3/")
    assert result.returncode == 1
    assert "--source-time-zone" in result.stderr
