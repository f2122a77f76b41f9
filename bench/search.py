"""``make bench-search``: latency of the patch list's full-text ``search=`` (unversioned
``/api/patches/``) on the ~100k-patch database of ``make bench-worstcase``.

The database is made as bench/worstcase.py makes it (the cached ``make bench`` dump when
there is one, else the archive's ~10k-patch prefix grown by SQL to ~100k patches); with
``BENCH_SEARCH_REUSE=1`` DATABASE_URL names a database filled before. Each probe is sent
anonymously to gunicorn, once to warm up and then ``REPEATS`` times; the report gives the
median and worst time and the number of matches (``X-Total-Count``). Results go to
bench/results/search.json and .md.
"""

import contextlib
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.config import load_config
from bench.corpus import ensure_corpus
from bench.django_env import manage
from bench.main import COUNTED_TABLES, Run, database_server, maintainer_token, say
from bench.postgres import analyze, database_name, table_counts
from bench.server import Gunicorn
from bench.worstcase import facts, prepare_database

REPEATS = 5
# Seconds a search request may take at ~100k patches (the list budget of "Bounded cost").
BUDGET_S = 1.0

# (label, query parameters): a word in nearly every patch (every match ranked), common
# and rarer words, several words, an identifier, a search narrowed by other filters, and
# one ordered by id instead of rank.
PROBES = [
    ("very common word", {"search": "the"}),
    ("common word", {"search": "fix"}),
    ("rarer word", {"search": "xmlrpc"}),
    ("three words", {"search": "add series support"}),
    ("identifier", {"search": "get_patch"}),
    ("no match", {"search": "zyzzyvaquux"}),
    ("ten words", {"search": " ".join(["patch"] * 10)}),
    ("with filters", {"search": "fix", "state": "new", "archived": "false"}),
    ("ordered by id", {"search": "the", "order": "-id"}),
    ("deep page", {"search": "fix", "page": "50"}),
]


def timed(url: str) -> tuple[float, int, str]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status, total = response.status, response.headers.get("X-Total-Count", "")
    except urllib.error.HTTPError as error:
        error.read()
        status, total = error.code, ""
    return time.perf_counter() - started, status, total


def measure(base_url: str, project: str) -> list[dict]:
    results = []
    for label, params in PROBES:
        if label == "with filters":
            params = {**params, "project": project}
        url = f"{base_url}/api/patches/?{urlencode(params)}"
        timed(url)  # warm-up
        runs = [timed(url) for _ in range(REPEATS)]
        seconds = [run[0] for run in runs]
        result = {
            "probe": label,
            "params": params,
            "status": runs[-1][1],
            "matches": runs[-1][2],
            "median_s": round(statistics.median(seconds), 3),
            "worst_s": round(max(seconds), 3),
            "within_budget": max(seconds) <= BUDGET_S,
        }
        say(f"{label:18} {result['median_s']:7.3f}s median {result['worst_s']:7.3f}s worst")
        results.append(result)
    return results


def write_report(results: list[dict], meta: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "search.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    lines = [
        "# Full-text search latency (`/api/patches/?search=`)",
        "",
        f"Database: {meta['counts']}. Load average at start: {meta['load_average']}. "
        f"{REPEATS} requests per probe after one warm-up, anonymous, one at a time, "
        "gunicorn on loopback.",
        "",
        "| probe | parameters | status | matches | median s | worst s | budget s |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result['probe']} | `{urlencode(result['params'])[:70]}` | {result['status']} "
            f"| {result['matches']} | {result['median_s']} | {result['worst_s']} | "
            f"{BUDGET_S}{'' if result['within_budget'] else ' **OVER**'} |"
        )
    path = directory / "search.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> int:
    config = load_config()
    with contextlib.ExitStack() as cleanup:
        reuse = os.environ.get("BENCH_SEARCH_REUSE") == "1"
        server_url = config.database_url if reuse else database_server(config)
        corpus = ensure_corpus(config)
        log_dir = config.cache_dir / "logs" / time.strftime("search-%Y%m%dT%H%M%S")
        log_dir.mkdir(parents=True, exist_ok=True)
        run = Run(
            config,
            server_url,
            database_name(server_url),
            corpus,
            maintainer_token(config),
            log_dir,
            cleanup,
            {"ingest": {"parsearchive": []}},
        )
        if reuse:
            manage(config.python, server_url, "migrate", "--no-input")
            analyze(server_url)
        main_url = server_url if reuse else prepare_database(run)
        found = facts(main_url)
        server = Gunicorn(
            config.python, main_url, config.gunicorn_workers, log_dir / "gunicorn.log"
        )
        server.start()
        cleanup.callback(server.stop)
        load_average = [round(load, 2) for load in os.getloadavg()]
        measured = measure(server.base_url, found["linkname"])
        meta = {"counts": table_counts(main_url, COUNTED_TABLES), "load_average": load_average}
        path = write_report(measured, meta, config.results_dir)
        print(path.read_text())
        return 0 if all(result["within_budget"] for result in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
