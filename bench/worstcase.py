"""``make bench-worstcase``: the most expensive anonymous request of each endpoint, timed on
a large database (README "Bounded cost"), against a budget per endpoint.

The database is ``make bench``'s main database when its dump is cached in bench/cache,
else the archive's ~10k-patch prefix grown to ~100k patches by SQL
(``prepare_database``). A public bundle of the busiest project's first 1,000 patches (the
most one request may put in a bundle) is added for the bundle requests. Each request is
sent anonymously, one at a time, to gunicorn: once to warm up, then ``REPEATS`` times;
the slowest time counts. Results go to bench/results/worstcase.json and .md.
"""

import contextlib
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg

from bench import dataset
from bench.config import load_config
from bench.corpus import ensure_corpus
from bench.django_env import manage
from bench.main import (
    COUNTED_TABLES,
    Run,
    database_server,
    dump_path,
    ingest_range,
    initialize_database,
    maintainer_token,
    say,
)
from bench.postgres import (
    analyze,
    connect,
    database_name,
    restore_database,
    table_counts,
    with_database,
)
from bench.scale import COPY_EVENTS_SQL, COPY_PATCHES_SQL
from bench.server import Gunicorn
from patchwork_api import limits

REPEATS = 3
# Older copies of the ingested ~10k-patch prefix: ~100k patches in all.
GROWTH_COPIES = 9
BUNDLE_PATCHES = limits.MAX_BODY_LIST_ITEMS
TWENTY_WORDS = " ".join(["a"] * limits.MAX_SEARCH_WORDS)
# Seconds one anonymous request may take, by kind of endpoint (README "Bounded cost").
# "bundle": what embeds or pages through a bundle of up to MAX_BODY_LIST_ITEMS patches.
BUDGETS = {
    "list": 1.0,
    "detail": 0.5,
    "page": 1.0,
    "bundle": 2.0,
    "download": 2.0,
    "xmlrpc": 2.0,
}


@dataclass(frozen=True)
class Probe:
    endpoint: str
    kind: str
    path: str
    why: str
    xmlrpc: tuple | None = None  # (method, params) for XML-RPC probes


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def prepare_database(run: Run) -> str:
    """The main database: the cached dump of ``make bench`` restored when there is one;
    otherwise the archive's ~10k-patch prefix ingested (parsearchive, as ``make bench``
    does) and grown by SQL with ``GROWTH_COPIES`` older copies of every patch and event,
    as the benchmark's scale curve grows its 1M point (ingesting the whole archive takes
    longer than a measurement should on a shared machine)."""
    main_url = with_database(run.server_url, run.main_name)
    dump = dump_path(run)
    if dump.exists():
        say(f"restoring {dump.name}")
        restore_database(main_url, dump)
        manage(run.config.python, main_url, "migrate", "--no-input")
    else:
        initialize_database(run, main_url)
        prefix = run.corpus.mails_for_patches(run.config.scale_slice_patches)
        ingest_range(run, main_url, 0, prefix, "worstcase-prefix")
        dataset.shape_after_ingest(main_url)
        grow(main_url, GROWTH_COPIES)
    analyze(main_url)
    return main_url


def grow(main_url: str, copies: int) -> None:
    with connect(main_url) as connection:
        span = connection.execute(
            "SELECT max(date) - min(date) + interval '1 day' FROM patches_patch"
        ).fetchone()[0]
        last_patch = connection.execute("SELECT max(id) FROM patches_patch").fetchone()[0]
        last_event = connection.execute("SELECT max(id) FROM events_event").fetchone()[0]
        for copy in range(1, copies + 1):
            say(f"growing: copy {copy} of {copies}")
            params = {"copy": copy, "span": span}
            connection.execute(COPY_PATCHES_SQL, {**params, "last_original": last_patch})
            connection.execute(COPY_EVENTS_SQL, {**params, "last_original": last_event})


def facts(main_url: str) -> dict:
    """Ids and names the probes need: the busiest project, the biggest series, the patch
    with the most comments, a deep page of events, and a public bundle made here."""
    with psycopg.connect(_libpq(main_url), autocommit=True) as connection:
        one = lambda sql, *args: connection.execute(sql, args).fetchone()  # noqa: E731
        project_id, linkname, patches = one(
            "SELECT p.id, p.linkname, count(*) FROM projects_project p "
            "JOIN patches_patch x ON x.project_id = p.id GROUP BY p.id ORDER BY 3 DESC LIMIT 1"
        )
        (series_id,) = one(
            "SELECT series_id FROM patches_patch WHERE series_id IS NOT NULL "
            "GROUP BY series_id ORDER BY count(*) DESC LIMIT 1"
        )
        patch_id, msgid, patch_linkname = one(
            "SELECT p.id, p.msgid, j.linkname FROM patches_patch p "
            "JOIN patches_patchcomment c ON c.patch_id = p.id "
            "JOIN projects_project j ON j.id = p.project_id "
            "GROUP BY p.id, j.linkname ORDER BY count(*) DESC LIMIT 1"
        )
        series_patch = one(
            "SELECT p.id, p.msgid, j.linkname FROM patches_patch p "
            "JOIN projects_project j ON j.id = p.project_id WHERE p.series_id = %s "
            "ORDER BY p.number DESC LIMIT 1",
            series_id,
        )
        (events,) = one("SELECT count(*) FROM events_event")
        (owner,) = one("SELECT username FROM auth_user ORDER BY id LIMIT 1")
        (owner_id,) = one("SELECT id FROM auth_user WHERE username = %s", owner)
        connection.execute(
            "DELETE FROM bundles_bundlepatch WHERE bundle_id IN "
            "(SELECT id FROM bundles_bundle WHERE name = 'worst-case')"
        )
        connection.execute("DELETE FROM bundles_bundle WHERE name = 'worst-case'")
        (bundle_id,) = one(
            "INSERT INTO bundles_bundle (owner_id, project_id, name, public) "
            "VALUES (%s, %s, 'worst-case', true) RETURNING id",
            owner_id,
            project_id,
        )
        connection.execute(
            'INSERT INTO bundles_bundlepatch (bundle_id, patch_id, "order") '
            "SELECT %s, id, row_number() OVER (ORDER BY id) FROM patches_patch "
            "WHERE project_id = %s ORDER BY id LIMIT %s",
            (bundle_id, project_id, BUNDLE_PATCHES),
        )
    return {
        "project_id": project_id,
        "linkname": linkname,
        "patches": patches,
        "series_id": series_id,
        "patch_id": patch_id,
        "msgid": msgid.strip("<>"),
        "patch_linkname": patch_linkname,
        "series_patch_msgid": series_patch[1].strip("<>"),
        "series_linkname": series_patch[2],
        "events": events,
        "bundle_owner": owner,
        "bundle_id": bundle_id,
    }


def probes(f: dict) -> list[Probe]:
    api = "/api/1.3"
    last_page = max(1, -(-f["patches"] // 250))
    deep_event_page = limits.MAX_UNCOUNTED_OFFSET // 30
    list_query = urlencode({"state": "*", "archived": "both"})
    return [
        Probe(
            "patches",
            "list",
            f"{api}/patches/?per_page=250&page={last_page}",
            "last page at the biggest page size",
        ),
        Probe(
            "patches",
            "list",
            f"{api}/patches/?per_page=250&order=-name&page=2",
            "order by an unindexed column",
        ),
        Probe(
            "patches",
            "list",
            f"{api}/patches/?per_page=250&q={quote(TWENTY_WORDS)}",
            f"{limits.MAX_SEARCH_WORDS}-word search matching everything",
        ),
        Probe(
            "patches",
            "list",
            f"{api}/patches/?per_page=250&order=-delegate&page=100",
            "order by a joined column, deep page",
        ),
        Probe(
            "covers", "list", f"{api}/covers/?per_page=250&order=-name&page=2", "unindexed order"
        ),
        Probe("series", "list", f"{api}/series/?per_page=250&page=2", "biggest page of series"),
        Probe(
            "series",
            "list",
            f"{api}/series/?per_page=250&q={quote(TWENTY_WORDS)}",
            "series search",
        ),
        Probe(
            "events",
            "list",
            f"{api}/events/?page={deep_event_page}",
            "deepest page allowed (MAX_UNCOUNTED_OFFSET)",
        ),
        Probe(
            "events",
            "list",
            f"{api}/events/?per_page=250&category=patch-created",
            "first page, one category",
        ),
        Probe("projects", "list", f"{api}/projects/?q={quote(TWENTY_WORDS)}", "search"),
        Probe("bundles", "bundle", f"{api}/bundles/?per_page=250", "bundles with their patches"),
        Probe("patch", "detail", f"{api}/patches/{f['patch_id']}/", "most comments"),
        Probe(
            "patch comments",
            "list",
            f"{api}/patches/{f['patch_id']}/comments/?per_page=250",
            "most comments",
        ),
        Probe("series", "detail", f"{api}/series/{f['series_id']}/", "biggest series"),
        Probe(
            "bundle",
            "bundle",
            f"{api}/bundles/{f['bundle_id']}/",
            f"{BUNDLE_PATCHES}-patch bundle",
        ),
        Probe("series mbox", "download", f"/series/{f['series_id']}/mbox/", "biggest series"),
        Probe(
            "bundle mbox",
            "download",
            f"/bundle/{f['bundle_owner']}/worst-case/mbox/",
            f"{BUNDLE_PATCHES}-patch bundle",
        ),
        Probe(
            "patch mbox",
            "download",
            f"/project/{f['series_linkname']}/patch/{f['series_patch_msgid']}/mbox/?series=*",
            "last patch of the biggest series with its dependencies",
        ),
        Probe(
            "patch page",
            "page",
            f"/project/{f['patch_linkname']}/patch/{f['msgid']}/",
            "most comments",
        ),
        Probe(
            "list page",
            "page",
            f"/project/{f['linkname']}/list/?{list_query}&page={-(-f['patches'] // 100)}",
            "last page, every state",
        ),
        Probe(
            "bundle page",
            "bundle",
            f"/bundle/{f['bundle_owner']}/worst-case/?page=10",
            f"{BUNDLE_PATCHES}-patch bundle, last page",
        ),
        Probe(
            "xmlrpc patch_list",
            "xmlrpc",
            "/xmlrpc/",
            "every patch of a project",
            ("patch_list", ({"project_id": f["project_id"]},)),
        ),
        Probe(
            "xmlrpc person_list", "xmlrpc", "/xmlrpc/", "every person", ("person_list", ("", 0))
        ),
    ]


def timed(base_url: str, probe: Probe) -> tuple[float, int, int]:
    """Seconds, status and body size of one request."""
    data = None
    headers = {"Accept": "application/json"}
    if probe.xmlrpc:
        method, params = probe.xmlrpc
        data = xmlrpc.client.dumps(params, method).encode()
        headers = {"Content-Type": "text/xml"}
    request = urllib.request.Request(f"{base_url}{probe.path}", data=data, headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return time.perf_counter() - started, status, len(body)


def measure(base_url: str, all_probes: list[Probe]) -> list[dict]:
    results = []
    for probe in all_probes:
        timed(base_url, probe)  # warm-up
        runs = [timed(base_url, probe) for _ in range(REPEATS)]
        seconds = [run[0] for run in runs]
        budget = BUDGETS[probe.kind]
        result = {
            "endpoint": probe.endpoint,
            "request": probe.path if not probe.xmlrpc else f"{probe.xmlrpc[0]}{probe.xmlrpc[1]}",
            "why": probe.why,
            "status": runs[-1][1],
            "bytes": runs[-1][2],
            "worst_s": round(max(seconds), 3),
            "median_s": round(statistics.median(seconds), 3),
            "budget_s": budget,
            "within_budget": max(seconds) <= budget,
        }
        say(f"{probe.endpoint:20} {result['worst_s']:7.3f}s / {budget}s  {probe.why}")
        results.append(result)
    return results


def write_report(results: list[dict], meta: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "worstcase.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    lines = [
        "# Worst-case anonymous requests",
        "",
        f"Database: {meta['counts']}. Load average at start: {meta['load_average']}.",
        "",
        "| endpoint | request | why | status | bytes | worst s | budget s | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        verdict = "met" if result["within_budget"] else "**OVER**"
        lines.append(
            f"| {result['endpoint']} | `{result['request'][:90]}` | {result['why']} | "
            f"{result['status']} | {result['bytes']:,} | {result['worst_s']} | "
            f"{result['budget_s']} | {verdict} |"
        )
    path = directory / "worstcase.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> int:
    config = load_config()
    with contextlib.ExitStack() as cleanup:
        # BENCH_WORSTCASE_REUSE=1: DATABASE_URL names a database this script filled before
        reuse = os.environ.get("BENCH_WORSTCASE_REUSE") == "1"
        server_url = config.database_url if reuse else database_server(config)
        corpus = ensure_corpus(config)
        log_dir = config.cache_dir / "logs" / time.strftime("worstcase-%Y%m%dT%H%M%S")
        log_dir.mkdir(parents=True, exist_ok=True)
        results: dict = {"ingest": {"parsearchive": []}}
        run = Run(
            config,
            server_url,
            database_name(server_url),
            corpus,
            maintainer_token(config),
            log_dir,
            cleanup,
            results,
        )
        if reuse:
            manage(config.python, server_url, "migrate", "--no-input")
        main_url = server_url if reuse else prepare_database(run)
        found = facts(main_url)
        server = Gunicorn(
            config.python, main_url, config.gunicorn_workers, log_dir / "gunicorn.log"
        )
        server.start()
        cleanup.callback(server.stop)
        measured = measure(server.base_url, probes(found))
        meta = {
            "counts": table_counts(main_url, COUNTED_TABLES),
            "facts": found,
            "load_average": [round(load, 2) for load in os.getloadavg()],
        }
        path = write_report(measured, meta, config.results_dir)
        print(path.read_text())
        return 0 if all(result["within_budget"] for result in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
