"""``manage.py import-patchwork`` on the shared dump of a real Patchwork 644cef7c database:
every row keeps its id, passwords and tokens keep working, the API answers with the ids
and dates Patchwork answered, and a second or interrupted import writes nothing twice.

The expected figures are the FACTS of ``../shared/patchwork-db/README.md``.
"""

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import shared_path

# (this server's table, the dump's table): rows of each must be the same, by id.
SAME_IDS = [
    ("auth_user", "auth_user"),
    ("projects_project", "patchwork_project"),
    ("people_userprofile", "patchwork_userprofile"),
    ("projects_project_maintainers", "patchwork_userprofile_maintainer_projects"),
    ("people_person", "patchwork_person"),
    ("patches_state", "patchwork_state"),
    ("patches_tag", "patchwork_tag"),
    ("projects_delegationrule", "patchwork_delegationrule"),
    ("patches_patchrelation", "patchwork_patchrelation"),
    ("covers_cover", "patchwork_cover"),
    ("series_series", "patchwork_series"),
    ("series_series_dependencies", "patchwork_series_dependencies"),
    ("series_seriesreference", "patchwork_seriesreference"),
    ("patches_patch", "patchwork_patch"),
    ("patches_patchcomment", "patchwork_patchcomment"),
    ("covers_covercomment", "patchwork_covercomment"),
    ("patches_patchtag", "patchwork_patchtag"),
    ("patches_check", "patchwork_check"),
    ("bundles_bundle", "patchwork_bundle"),
    ("bundles_bundlepatch", "patchwork_bundlepatch"),
    ("events_event", "patchwork_event"),
]

COUNTS = {
    "projects_project": 2,
    "people_person": 73,
    "auth_user": 4,
    "patches_patch": 1529,
    "covers_cover": 287,
    "patches_patchcomment": 1025,
    "covers_covercomment": 264,
    "series_series": 817,
    "series_seriesreference": 820,
    "patches_check": 15,
    "bundles_bundle": 3,
    "bundles_bundlepatch": 10,
    "events_event": 6311,
    "patches_state": 11,
    "patches_tag": 3,
    "patches_patchrelation": 1,
    "authtoken_token": 4,
    "people_userprofile": 4,
    "projects_delegationrule": 1,
    "projects_project_maintainers": 3,
    "series_series_dependencies": 3,
    "patches_patchtag": 694,
}

USERS = {
    "admin": ("admin-pass-1", "95a41570f4185b3714658828bfbdcac04640436a"),
    "maint": ("maint-pass-2", "595d57bca7c30dddd953b4e14f95a7e0c84a2e8e"),
    "dev": ("dev-pass-3", "bc584b2980442d6bf4c72b6ccc8e6ca706c50876"),
}
CI_BOT_TOKEN = "404a107f5fcec3a2e4e50ae7a8a09fd769a0353f"

# api-samples/ file, request
SAMPLES = [
    ("patch-364.json", "/api/1.3/patches/364/"),
    ("patch-11.json", "/api/1.3/patches/11/"),
    ("series-17.json", "/api/1.3/series/17/"),
    ("patch-1469-checks.json", "/api/1.3/patches/1469/checks/"),
    ("events-per_page-5.json", "/api/1.3/events/?per_page=5"),
    ("bundles.json", "/api/1.3/bundles/"),
    ("projects.json", "/api/1.3/projects/"),
]


def ids_and_dates(value, path: str = "") -> list[tuple[str, object]]:
    """Every ``id`` and date of an API answer with where it is, in order."""
    found = []
    if isinstance(value, dict):
        for key in sorted(value):
            if key == "id" or key == "date" or key.endswith("_date"):
                found.append((f"{path}.{key}", value[key]))
            found.extend(ids_and_dates(value[key], f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(ids_and_dates(item, f"{path}[{index}]"))
    return found


def by_id(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["id"])


# Ours lists a bundle's patches in the bundle's order and a project's maintainers by id;
# Patchwork's order there is not the bundle order (bundles) or not stated (maintainers).
UNORDERED = {"bundles.json": "patches", "projects.json": "maintainers"}


def test_every_table_has_the_facts_counts(imported):
    counts = {table: imported.database.scalar(f"SELECT count(*) FROM {table}") for table in COUNTS}
    assert counts == COUNTS


def test_every_row_keeps_its_id(imported, patchwork_source):
    """Same number of rows, same ids (sum and extremes), no duplicate, for every table."""
    summary = "SELECT count(*), count(DISTINCT id), min(id), max(id), sum(id) FROM {}"
    for ours, theirs in SAME_IDS:
        assert imported.database.query(summary.format(ours)) == patchwork_source.query(
            summary.format(theirs)
        ), ours


def test_the_facts_patches_series_and_bundles(imported):
    query = imported.database.query
    assert query(
        "SELECT p.id, pr.linkname, p.msgid, p.name, s.slug, u.username, p.archived, "
        "p.commit_ref, p.hash, p.series_id FROM patches_patch p "
        "JOIN projects_project pr ON pr.id = p.project_id "
        "JOIN patches_state s ON s.id = p.state_id "
        "LEFT JOIN auth_user u ON u.id = p.delegate_id WHERE p.id IN (11, 364, 1469, 1471) "
        "ORDER BY p.id"
    ) == [
        (11, "dev", "<20170130202544.3920240-1-stephen@that.guru>",
         "[git-pw] Typo fix in README", "superseded", None, False, None,
         "8a69b92f738e96df9660bbd34dd8c617f289bbd6", 8),
        (364, "dev",
         "<1246923ad57d3f9b98136cc1d8b33decb8e963cc.1520965810.git.pbonzini@redhat.com>",
         "rest: pass request to hooks", "accepted", None, True,
         "1246923ad57d3f9b98136cc1d8b33decb8e963cc",
         "1f627fd117c35cbdf4468ae406e601b110606280", 185),
        (1469, "dev", "<20260422130055.3050645-1-andrea.cervesato@suse.com>",
         "[v2] Add event-list command to query Patchwork events", "needs-ack", "maint",
         False, None, "1ad760781fe100ec66a3e4f44932527d95c21eda", 778),
        (1471, "testdata", "<1287719462.2198.37.camel@pasglop>",
         "[git,pull] Please pull powerpc.git next branch", "new", None, False, None, None,
         780),
    ]  # fmt: skip
    assert query(
        "SELECT id, name, slug, ordering, action_required FROM patches_state WHERE id = 11"
    ) == [(11, "Needs ACK", "needs-ack", 10, True)]
    assert query(
        "SELECT to_series_id FROM series_series_dependencies WHERE from_series_id = 809 ORDER BY 1"
    ) == [(807,), (808,)]
    assert query(
        "SELECT b.id, u.username, b.name, b.public, bp.patch_id FROM bundles_bundle b "
        "JOIN auth_user u ON u.id = b.owner_id JOIN bundles_bundlepatch bp "
        'ON bp.bundle_id = b.id ORDER BY b.id, bp."order"'
    ) == [
        (1, "maint", "review-queue", True, 631), (1, "maint", "review-queue", True, 105),
        (1, "maint", "review-queue", True, 905), (1, "maint", "review-queue", True, 378),
        (2, "maint", "private-todo", False, 1465), (2, "maint", "private-todo", False, 1468),
        (2, "maint", "private-todo", False, 1469),
        (3, "dev", "my-patches", True, 1440), (3, "dev", "my-patches", True, 1402),
        (3, "dev", "my-patches", True, 1431),
    ]  # fmt: skip
    assert query("SELECT id, addressed FROM patches_patchcomment WHERE addressed IS NOT NULL") == [
        (53, True),
        (252, True),
    ]
    assert query("SELECT id FROM covers_covercomment WHERE addressed IS NOT NULL") == [(19,)]
    assert query(
        "SELECT u.username, is_superuser, is_staff, items_per_page, show_ids FROM auth_user u "
        "JOIN people_userprofile p ON p.user_id = u.id ORDER BY u.id"
    ) == [
        ("admin", True, True, 100, False), ("maint", False, False, 50, True),
        ("dev", False, False, 100, False), ("ci-bot", False, False, 100, False),
    ]  # fmt: skip
    assert query("SELECT user_id FROM people_person WHERE id = 38") == [(3,)]
    assert query(
        "SELECT pr.linkname, u.username FROM projects_project_maintainers m "
        "JOIN projects_project pr ON pr.id = m.project_id JOIN auth_user u ON u.id = m.user_id "
        "ORDER BY 1, 2"
    ) == [("dev", "ci-bot"), ("dev", "maint"), ("testdata", "maint")]
    assert query(
        "SELECT pr.linkname, d.path, u.username, d.priority FROM projects_delegationrule d "
        "JOIN projects_project pr ON pr.id = d.project_id JOIN auth_user u ON u.id = d.user_id"
    ) == [("dev", "docs/*", "maint", 5)]


def test_sequences_continue_after_the_highest_id(imported):
    for table, highest in [("patches_patch", 1529), ("events_event", 6311), ("auth_user", 4)]:
        next_id = imported.database.scalar(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
        )
        assert next_id > highest, table


@pytest.mark.parametrize(("sample", "path"), SAMPLES)
def test_api_answers_have_patchworks_ids_and_dates(served, sample, path):
    """With Patchwork's TIME_ZONE, every id and date is the one Patchwork answered."""
    expected = json.loads(shared_path("patchwork-db", "api-samples", sample).read_text())
    response = requests.get(f"{served.url}{path}", headers={"Accept": "application/json"})
    assert response.status_code == 200
    answer = response.json()
    if sample in UNORDERED:
        for item in (*answer, *expected):
            item[UNORDERED[sample]] = by_id(item[UNORDERED[sample]])
    assert ids_and_dates(answer) == ids_and_dates(expected)


def test_events_honour_per_page_as_recorded(served):
    """api-samples/events-per_page-5.json: 5 events, last page 1263."""
    response = requests.get(f"{served.url}/api/1.3/events/?per_page=5")
    assert len(response.json()) == 5
    assert '/api/1.3/events/?page=1263&per_page=5>; rel="last"' in response.headers["Link"]


def test_dates_are_those_patchwork_showed(served):
    patch = requests.get(f"{served.url}/api/1.3/patches/364/").json()
    assert patch["date"] == "2018-03-13T18:30:40"
    events = requests.get(f"{served.url}/api/1.3/events/").json()
    assert (events[0]["id"], events[0]["date"]) == (6311, "2026-12-06T09:32:49.838536")


@pytest.mark.parametrize("username", sorted(USERS))
def test_old_passwords_log_in(served, username):
    password, _token = USERS[username]
    session = requests.Session()
    page = session.get(f"{served.url}/user/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{served.url}/user/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{served.url}/user/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    assert session.get(f"{served.url}/user/", allow_redirects=False).status_code == 200
    wrong = requests.get(f"{served.url}/api/1.3/users/", auth=(username, "not-it"))
    assert wrong.status_code in (401, 403)


@pytest.mark.parametrize("username", sorted(USERS))
def test_old_tokens_work_on_the_api(served, username):
    _password, token = USERS[username]
    response = requests.get(
        f"{served.url}/api/1.3/users/", headers={"Authorization": f"Token {token}"}
    )
    assert response.status_code == 200, response.text


def test_old_token_reads_private_bundles_and_writes(served):
    maint = {"Authorization": f"Token {USERS['maint'][1]}"}
    bundles = requests.get(f"{served.url}/api/1.3/bundles/", headers=maint).json()
    assert [bundle["id"] for bundle in bundles] == [1, 2, 3]
    check = requests.post(
        f"{served.url}/api/1.3/patches/1440/checks/",
        headers={"Authorization": f"Token {CI_BOT_TOKEN}"},
        json={"state": "success", "context": "after-import"},
    )
    assert check.status_code == 201, check.text
    # New rows continue after the imported ids.
    assert check.json()["id"] == 16


def test_a_second_import_is_refused(imported, patchwork_source):
    before = imported.database.scalar("SELECT count(*) FROM patches_patch")
    result = imported.run("import-patchwork", "--from", patchwork_source.url)
    assert result.returncode == 1
    assert "already holds an import" in result.stderr
    assert "Traceback" not in result.stderr
    assert imported.database.scalar("SELECT count(*) FROM patches_patch") == before


def test_a_database_with_content_is_refused(fresh_target, patchwork_source):
    fresh_target.manage(
        "project",
        "add",
        "mine",
        "--name",
        "Mine",
        "--listid",
        "mine.example.org",
        "--listemail",
        "mine@example.org",
    )
    result = fresh_target.run("import-patchwork", "--from", patchwork_source.url)
    assert result.returncode == 1
    assert "not empty (1 projects)" in result.stderr


def test_merge_is_refused_when_ids_collide(fresh_target, patchwork_source):
    fresh_target.manage(
        "project",
        "add",
        "mine",
        "--name",
        "Mine",
        "--listid",
        "mine.example.org",
        "--listemail",
        "mine@example.org",
    )
    result = fresh_target.run("import-patchwork", "--merge", "--from", patchwork_source.url)
    assert result.returncode == 1
    assert "--merge refused: projects with ids [1]" in result.stderr
    assert fresh_target.database.scalar("SELECT count(*) FROM auth_user") == 0


def assert_same_as_source(target, source) -> None:
    summary = "SELECT count(*), count(DISTINCT id), min(id), max(id), sum(id) FROM {}"
    for ours, theirs in SAME_IDS:
        assert target.database.query(summary.format(ours)) == source.query(
            summary.format(theirs)
        ), ours
    assert target.database.scalar("SELECT count(*) FROM authtoken_token") == 4


def test_a_stopped_import_is_finished_by_running_it_again(fresh_target, patchwork_source):
    """Stopped after 15 batches of 200 rows (in the middle of the series), the same
    command finishes the import: every row once, nothing missing."""
    arguments = ("import-patchwork", "--from", patchwork_source.url, "--batch-size", "200")
    stopped = fresh_target.run(*arguments, "--stop-after-batches", "15")
    assert stopped.returncode == 1
    assert "stopped after 15 batches" in stopped.stderr
    partial = fresh_target.database.scalar("SELECT count(*) FROM series_series")
    assert partial == 600
    finished = fresh_target.run(*arguments)
    assert finished.returncode == 0, finished.stderr
    assert "finished the import" in finished.stdout
    assert_same_as_source(fresh_target, patchwork_source)


def test_a_killed_import_is_finished_by_running_it_again(fresh_target, patchwork_source):
    """SIGKILL while patches are imported: the rerun completes it with no duplicate."""
    arguments = ["import-patchwork", "--from", patchwork_source.url, "--batch-size", "50"]
    process = subprocess.Popen(
        [fresh_target.environment["PYTHON"], "manage.py", *arguments],
        env=fresh_target.environment,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if fresh_target.database.scalar("SELECT count(*) FROM patches_patch") > 0:
                break
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    partial = fresh_target.database.scalar("SELECT count(*) FROM patches_patch")
    assert 0 < partial < 1529
    finished = fresh_target.run(*arguments)
    assert finished.returncode == 0, finished.stderr
    assert_same_as_source(fresh_target, patchwork_source)
