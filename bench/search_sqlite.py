"""``make bench-search-sqlite``: latency of ``search=`` on the embedded SQLite database at
~100k patches (FTS5).

The dev-list corpus (../shared/corpus) is imported into a fresh SQLite file in
bench/cache, then its patches are copied as older, archived history (as bench/scale.py
grows the PostgreSQL database) until there are ``TARGET_PATCHES``; the FTS5 triggers
index every copy. The probes of bench/search.py are then sent through Django's test
client in this process (no HTTP server), once to warm up and ``REPEATS`` times. Results
go to bench/results/search-sqlite.json and .md.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.config import REPO_ROOT

TARGET_PATCHES = 100_000
REPEATS = 5
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "dev-list.mbox.xz"
COPY_SQL = """
INSERT INTO patches_patch (msgid, project_id, name, date, submitter_id, headers, content, diff,
    pull_url, commit_ref, hash, state_id, delegate_id, archived, related_id, series_id, number,
    updated)
SELECT '<history' || %(copy)s || '.' || substr(msgid, 2), project_id, name, date, submitter_id,
       headers, content, diff, pull_url, commit_ref, hash,
       CASE WHEN (id + %(copy)s) %% 10 < 6 THEN 3 WHEN (id + %(copy)s) %% 10 < 9 THEN 9 ELSE 4 END,
       delegate_id, 1, NULL, NULL, NULL, updated
FROM patches_patch WHERE id <= %(last)s
"""


def build(path: Path) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from projects.models import Project

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    Project.objects.create(
        linkname="dev", name="dev", listid="dev.example.org", listemail="dev@example.org"
    )
    call_command("parsearchive", str(CORPUS), verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id) FROM patches_patch")
        originals, last = cursor.fetchone()
        copy = 0
        while originals * (copy + 1) < TARGET_PATCHES:
            copy += 1
            cursor.execute(COPY_SQL, {"copy": copy, "last": last})
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM patches_patch")
        (patches,) = cursor.fetchone()
    return {"patches": patches, "build_s": round(time.perf_counter() - started, 1)}


def patch_count() -> int:
    from patches.models import Patch

    return Patch.objects.count()


def measure() -> list[dict]:
    from django.test import Client

    from bench.search import PROBES

    client = Client()
    results = []
    for label, params in PROBES:
        if label == "with filters":
            params = {**params, "project": "dev"}
        url = f"/api/patches/?{urlencode(params)}"
        client.get(url)  # warm-up
        seconds, response = [], None
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
        results.append(
            {
                "probe": label,
                "params": params,
                "status": response.status_code,
                "matches": response.headers.get("X-Total-Count", ""),
                "median_s": round(statistics.median(seconds), 3),
                "worst_s": round(max(seconds), 3),
            }
        )
        print(f"{label:18} {results[-1]['median_s']:7.3f}s median", file=sys.stderr)
    return results


def main() -> int:
    cache = REPO_ROOT / "bench" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "search-100k.sqlite3"
    fresh = not path.exists()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "patchwork_api.settings"
    import django

    django.setup()
    database = build(path) if fresh else {"patches": patch_count(), "reused": True}
    load_average = [round(load, 2) for load in os.getloadavg()]
    results = measure()
    meta = {"database": database, "load_average": load_average, "repeats": REPEATS}
    results_dir = REPO_ROOT / "bench" / "results"
    (results_dir / "search-sqlite.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    lines = [
        "# Full-text search latency on SQLite (FTS5)",
        "",
        f"Database: {database}. Load average at start: {load_average}. In-process Django "
        f"test client, {REPEATS} requests per probe after one warm-up.",
        "",
        "| probe | parameters | status | matches | median s | worst s |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result['probe']} | `{urlencode(result['params'])[:70]}` | {result['status']} "
            f"| {result['matches']} | {result['median_s']} | {result['worst_s']} |"
        )
    (results_dir / "search-sqlite.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
