"""``make bench``: ingest and API benchmark on PostgreSQL with gunicorn (see the README).

Steps: a throwaway PostgreSQL cluster (unless DATABASE_URL is given), the cached corpus,
the main database (the whole archive ingested, or restored from a cached dump), measured
parsearchive runs on archive prefixes and 8 concurrent parsemail feeders, the API under
load with SQL floors and query counts, the scale curve, and the report in bench/results/.
The cluster, scratch databases and servers are stopped however the run ends.
"""

import contextlib
import hashlib
import os
import platform
import secrets
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import apiload, dataset, scale
from bench.config import REPO_ROOT, BenchConfig, load_config
from bench.corpus import Corpus, ensure_corpus, iter_messages, write_slice
from bench.django_env import manage
from bench.endpoints import read_endpoints, write_endpoints
from bench.parse_timing import (
    ArchiveRun,
    combine_runs,
    run_parsearchive,
    run_parsemail_concurrently,
)
from bench.postgres import (
    analyze,
    create_database,
    database_name,
    drop_database,
    dump_database,
    restore_database,
    scalar,
    table_counts,
    with_database,
)
from bench.report import write_results
from bench.server import Gunicorn

COUNTED_TABLES = (
    "patches_patch",
    "covers_cover",
    "series_series",
    "patches_patchcomment",
    "covers_covercomment",
    "patches_check",
    "events_event",
    "people_person",
)
PER_PAGE = 30


@dataclass
class Run:
    """One benchmark run: its settings, where things live and what was measured."""

    config: BenchConfig
    server_url: str
    main_name: str
    corpus: Corpus
    token: str
    log_dir: Path
    cleanup: contextlib.ExitStack
    results: dict = field(default_factory=dict)

    def database(self, suffix: str) -> str:
        return f"{self.main_name}_{suffix}"

    def problem(self, text: str) -> None:
        print(f"bench: PROBLEM: {text}", file=sys.stderr)
        self.results.setdefault("problems", []).append(text)


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def phase(run: Run, name: str) -> Iterator[None]:
    say(f"{name} ... (load average {os.getloadavg()[0]:.1f})")
    run.results.setdefault("load_averages", {})[name] = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds = round(time.perf_counter() - started, 1)
        run.results.setdefault("phases", {})[name] = seconds
        say(f"{name} done in {seconds}s")


def raise_on_termination() -> None:
    """Turn SIGTERM/SIGHUP into SystemExit so the cleanup stack still runs."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


def maintainer_token(config: BenchConfig) -> str:
    """The benchmark maintainer's API token, kept with the cached dumps it belongs to."""
    path = config.cache_dir / "maintainer-token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(20))
    return path.read_text().strip()


def source_digest(patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(REPO_ROOT.glob(pattern)):
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def dump_path(run: Run) -> Path:
    """Dump of the ingested main database, keyed by corpus and shaping.  Migrations added
    since are applied after a restore, as on an upgraded instance; the ingest code is not
    part of the key either (BENCH_FULL_INGEST=1 imports the archive again)."""
    code = source_digest(("bench/dataset.py",))
    return run.config.cache_dir / f"db-{run.corpus.key}-{code}.dump"


def initialize_database(run: Run, url: str) -> None:
    """Migrate, then add the projects and users every benchmark database starts with."""
    manage(run.config.python, url, "migrate", "--no-input")
    dataset.create_projects(run.config, url, run.corpus.list_ids)
    dataset.create_users(run.config, url, run.corpus.list_ids, run.token)


def ingest_range(
    run: Run, url: str, start: int, stop: int, label: str, *, keep_waiting: bool = False
) -> ArchiveRun:
    """parsearchive of mails [start, stop) of the archive, measured and recorded."""
    mbox = run.log_dir / f"mails-{label}.mbox"
    copied = write_slice(run.corpus.mbox, mbox, start, stop)
    say(f"parsearchive {label}: {copied} mails")
    result = run_parsearchive(
        run.config.python, url, mbox, copied, label,
        run.log_dir / f"parsearchive-{label}.log", keep_waiting=keep_waiting,
    )  # fmt: skip
    mbox.unlink()
    record_archive_run(run, result)
    return result


def record_archive_run(run: Run, result: ArchiveRun) -> None:
    run.results["ingest"]["parsearchive"].append(result.as_dict())
    if not result.completed:
        run.problem(f"parsearchive {result.label} exited {result.returncode}: see {result.log}")
    elif result.summary.get("errors"):
        run.problem(f"parsearchive {result.label}: {result.summary['errors']} mails quarantined")


def ingest_whole_archive(run: Run, main_url: str) -> ArchiveRun:
    """The whole archive into the main database, in two measured parts: the ~10k-patch
    prefix, cloned as the 10k scale database, then the rest (replies kept waiting across
    the cut, so the result is that of one import)."""
    prefix = run.corpus.mails_for_patches(run.config.scale_slice_patches)
    first = ingest_range(run, main_url, 0, prefix, "archive-part-1-10k-prefix",
                         keep_waiting=True)  # fmt: skip
    clone_database(run, "10k", template=run.main_name)
    rest = ingest_range(run, main_url, prefix, run.corpus.mails, "archive-part-2-rest")
    whole = combine_runs("full-archive", [first, rest])
    record_archive_run(run, whole)
    return whole


def clone_database(run: Run, suffix: str, template: str) -> str:
    """A scratch database copied from template, dropped at the end of the run."""
    name = run.database(suffix)
    url = create_database(run.server_url, name, template=template)
    run.cleanup.callback(drop_database, run.server_url, name)
    return url


def build_main_database(run: Run, main_url: str) -> None:
    """Ingest the whole archive (measured), shape it like a living instance, dump it."""
    result = ingest_whole_archive(run, main_url)
    run.results["ingest"]["full_archive_counts"] = table_counts(main_url, COUNTED_TABLES)
    run.results["ingest"]["shaping"] = dataset.shape_after_ingest(main_url)
    analyze(main_url)
    if result.completed:
        dump_database(main_url, dump_path(run))


def prepare_main_database(run: Run) -> str:
    main_url = with_database(run.server_url, run.main_name)
    dump = dump_path(run)
    if dump.exists() and not run.config.full_ingest:
        with phase(run, "restore cached main database"):
            restore_database(main_url, dump)
            manage(run.config.python, main_url, "migrate", "--no-input")
            analyze(main_url)
        run.results["ingest"]["main_database"] = f"restored from {dump.name}"
        measure_prefixes(run)
        return main_url
    with phase(run, "full-archive ingest"):
        initialize_database(run, main_url)
        build_main_database(run, main_url)
    run.results["ingest"]["main_database"] = "ingested in this run"
    return main_url


def measure_prefixes(run: Run) -> None:
    """With the main database restored, ingest is measured on two prefixes of the archive
    (peak RSS compared across their sizes); the larger becomes the 10k scale database."""
    with phase(run, "prefix ingest"):
        url = clone_database(run, "small", template=run.database("template"))
        ingest_range(run, url, 0, run.config.small_slice_mails, "small-prefix")
        drop_database(run.server_url, run.database("small"))
        url = clone_database(run, "10k", template=run.database("template"))
        prefix = run.corpus.mails_for_patches(run.config.scale_slice_patches)
        ingest_range(run, url, 0, prefix, "10k-patch-prefix")


def finish_scale_database(run: Run) -> str:
    """Concurrent parsemail of the mails after the 10k prefix into the 10k database,
    then the same shaping as the main database."""
    url = with_database(run.server_url, run.database("10k"))
    prefix = run.corpus.mails_for_patches(run.config.scale_slice_patches)
    with phase(run, "concurrent parsemail"):
        stop = prefix + run.config.parsemail_mails
        messages = list(iter_messages(run.corpus.mbox, prefix, stop))
        run.results["ingest"]["parsemail"] = run_parsemail_concurrently(
            run.config.python, url, messages, run.config.parsemail_processes,
            run.config.parsemail_max_s,
        )  # fmt: skip
    dataset.shape_after_ingest(url)
    analyze(url)
    return url


def measure_api(run: Run, main_url: str) -> dataset.Targets:
    targets = dataset.select_targets(main_url, run.token, PER_PAGE)
    run.results["targets_chosen"] = targets.as_dict()
    reads, writes = read_endpoints(targets), write_endpoints(targets)
    server = Gunicorn(
        run.config.python, main_url, run.config.gunicorn_workers, run.log_dir / "gunicorn-main.log"
    )
    loads: dict[str, dict] = {}
    try:
        server.start()
        for endpoint in reads + writes:
            say(f"load {endpoint.name}")
            loads[endpoint.name] = apiload.measure_load(run.config, server.port, endpoint)
    finally:
        server.stop()
    floors = apiload.measure_floors(run.config, main_url, targets, reads)
    counted = apiload.count_queries(run.config, main_url, reads + writes)
    if "error" in counted:
        run.problem(f"query counting failed: {counted['error'][-300:]}")
        counted = {}
    run.results["explain"] = sorted(
        apiload.explain_slowest(main_url, counted, run.log_dir, run.token)
    )
    counted = apiload.redact(counted, run.token)
    run.results["api"] = {
        endpoint.name: apiload.summarize_endpoint(
            endpoint, loads[endpoint.name], floors.get(endpoint.name), counted.get(endpoint.name)
        )
        for endpoint in reads + writes
    }
    run.results["query_details"] = counted
    return targets


def main_scale_point(run: Run, main_url: str) -> dict:
    """The 100k point reuses the main API measurements of the scale endpoints."""
    api = run.results.get("api", {})
    return {
        "label": "100k",
        "patches": scalar(main_url, "SELECT count(*) FROM patches_patch"),
        "endpoints": {name: api[name]["load"] for name in scale.SCALE_ENDPOINTS if name in api},
    }


def measure_scale(run: Run, main_url: str, scale_url: str) -> None:
    points = [
        scale.measure_scale_point(
            run.config, scale_url, run.token, "10k", run.log_dir / "gunicorn-10k.log"
        )
    ]
    drop_database(run.server_url, run.database("10k"))
    points.append(main_scale_point(run, main_url))
    if run.config.large:
        with phase(run, "grow to 1M patches"):
            name = run.database("1m")
            million_url = create_database(run.server_url, name, template=run.main_name)
            run.cleanup.callback(drop_database, run.server_url, name)
            run.results["scale_1m_counts"] = scale.grow_to_million(million_url)
        points.append(
            scale.measure_scale_point(
                run.config, million_url, run.token, "1M", run.log_dir / "gunicorn-1m.log"
            )
        )
        drop_database(run.server_url, name)
    run.results["scale"] = points


def check_given_database(url: str) -> None:
    tables = scalar(
        url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    )
    if tables:
        raise RuntimeError(
            f"DATABASE_URL's database {database_name(url)!r} is not empty: the benchmark fills "
            "it, so give it an empty database"
        )


def run_steps(run: Run) -> None:
    with phase(run, "template database"):
        template_url = create_database(run.server_url, run.database("template"))
        run.cleanup.callback(drop_database, run.server_url, run.database("template"))
        initialize_database(run, template_url)
    main_url = prepare_main_database(run)
    run.results["database_counts"] = table_counts(main_url, COUNTED_TABLES)
    if not run.results["database_counts"]["patches_patch"]:
        run.problem("the main database holds no patches: API and scale steps skipped")
        return
    scale_url = finish_scale_database(run)
    with phase(run, "API load, floors and query counts"):
        measure_api(run, main_url)
    with phase(run, "scale curve"):
        measure_scale(run, main_url, scale_url)


def database_server(config: BenchConfig) -> str:
    """The server to use: bench/run starts a throwaway cluster unless DATABASE_URL is set."""
    if not config.database_url or not config.database_url.startswith("postgres"):
        raise RuntimeError(
            "DATABASE_URL must name an empty PostgreSQL database (bench/run "
            "starts a throwaway cluster when it is not set)"
        )
    check_given_database(config.database_url)
    return config.database_url


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return completed.stdout.strip() or "unknown"


def run_metadata(config: BenchConfig, stamp: str) -> dict:
    return {
        "started": stamp,
        "mode": ("quick" if config.quick else "default") + (" + large" if config.large else ""),
        "commit": git_commit(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "gunicorn_workers": config.gunicorn_workers,
        "duration_s": config.duration_s,
    }


def main() -> int:
    config = load_config()
    raise_on_termination()
    stamp = time.strftime("%Y%m%dT%H%M%S")
    log_dir = config.cache_dir / "logs" / stamp
    log_dir.mkdir(parents=True, exist_ok=True)
    results: dict = {"meta": run_metadata(config, stamp), "ingest": {"parsearchive": []}}
    started = time.perf_counter()
    exit_code = 0
    with contextlib.ExitStack() as cleanup:
        try:
            server_url = database_server(config)
            say("corpus (cached in bench/cache) ...")
            corpus = ensure_corpus(config)
            results["meta"].update(
                corpus_mails=corpus.mails, corpus_patches=corpus.patches, corpus_kinds=corpus.kinds
            )
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
            run_steps(run)
        except BaseException as error:
            exit_code = error.code if isinstance(error, SystemExit) else 1
            results.setdefault("problems", []).append(f"run aborted: {error!r}")
            traceback.print_exc()
        finally:
            results["meta"]["total_seconds"] = round(time.perf_counter() - started, 1)
            json_path, markdown_path = write_results(results, config.results_dir, stamp)
            say(f"results: {json_path} and {markdown_path}")
            print(markdown_path.read_text())
    return exit_code if isinstance(exit_code, int) else 1


if __name__ == "__main__":
    sys.exit(main())
