"""Scale curve: patch-list and events latencies at 10k, 100k and (BENCH_SCALE=large) 1M
patches.

10k is an ingested prefix of the archive, 100k the whole archive.  1M would take hours to
ingest on this machine, so it is the 100k database grown by SQL: nine copies of every
patch (and event) placed further back in time, archived with final states, as a project's
old history is.  The recent, actionable patches the list filters for are the same rows at
100k and 1M, so the curve shows what the extra history costs the queries.
"""

from pathlib import Path

from bench.apiload import run_loadgen
from bench.config import BenchConfig
from bench.dataset import select_targets
from bench.endpoints import Endpoint, read_endpoints
from bench.postgres import analyze, connect
from bench.server import Gunicorn

SCALE_ENDPOINTS = ("patch-list-p1", "events-since")
COPIES_FOR_1M = 9

COPY_PATCHES_SQL = """
INSERT INTO patches_patch (msgid, project_id, name, date, submitter_id, headers, content, diff,
    pull_url, commit_ref, hash, state_id, delegate_id, archived, related_id, series_id, number,
    updated)
SELECT '<history' || %(copy)s || '.' || substr(msgid, 2), project_id, name,
       date - %(copy)s * %(span)s, submitter_id, headers, content, diff, pull_url, commit_ref,
       hash, CASE WHEN (id + %(copy)s) %% 10 < 6 THEN 3 WHEN (id + %(copy)s) %% 10 < 9 THEN 9
                  ELSE 4 END,
       delegate_id, true, NULL, NULL, NULL, updated - %(copy)s * %(span)s
FROM patches_patch WHERE id <= %(last_original)s
"""

COPY_EVENTS_SQL = """
INSERT INTO events_event (project_id, category, actor_id, date, patch_id, series_id, cover_id,
    previous_state_id, current_state_id, created_check_id)
SELECT project_id, category, actor_id, date - %(copy)s * %(span)s, patch_id, series_id,
       cover_id, previous_state_id, current_state_id, created_check_id
FROM events_event WHERE id <= %(last_original)s
"""


def grow_to_million(database_url: str) -> dict[str, int]:
    """Add COPIES_FOR_1M older copies of every patch and event; return the new totals."""
    with connect(database_url) as connection:
        span = connection.execute(
            "SELECT max(date) - min(date) + interval '1 day' FROM patches_patch"
        ).fetchone()[0]
        last_patch = connection.execute("SELECT max(id) FROM patches_patch").fetchone()[0]
        last_event = connection.execute("SELECT max(id) FROM events_event").fetchone()[0]
        for copy in range(1, COPIES_FOR_1M + 1):
            params = {"copy": copy, "span": span}
            connection.execute(COPY_PATCHES_SQL, {**params, "last_original": last_patch})
            connection.execute(COPY_EVENTS_SQL, {**params, "last_original": last_event})
        totals = {
            "patches": connection.execute("SELECT count(*) FROM patches_patch").fetchone()[0],
            "events": connection.execute("SELECT count(*) FROM events_event").fetchone()[0],
        }
    analyze(database_url)
    return totals


def scale_endpoints(endpoints: list[Endpoint]) -> list[Endpoint]:
    return [endpoint for endpoint in endpoints if endpoint.name in SCALE_ENDPOINTS]


def measure_scale_point(
    config: BenchConfig, database_url: str, token: str, label: str, log_path: Path
) -> dict:
    """Start gunicorn on database_url and load the scale endpoints at each concurrency."""
    targets = select_targets(database_url, token, per_page=30)
    with connect(database_url) as connection:
        patches = connection.execute("SELECT count(*) FROM patches_patch").fetchone()[0]
    server = Gunicorn(config.python, database_url, config.gunicorn_workers, log_path)
    results: dict[str, dict] = {}
    try:
        server.start()
        for endpoint in scale_endpoints(read_endpoints(targets)):
            results[endpoint.name] = {
                f"c{level}": run_loadgen(config, server.port, endpoint.requests, level)
                for level in (1, 16)
            }
    finally:
        server.stop()
    return {"label": label, "patches": patches, "endpoints": results}
