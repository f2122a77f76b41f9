"""Benchmark settings, read from the environment in one place.

Environment variables:
  BENCH_QUICK=1          ~2 minute smoke run on a small corpus with short load phases
  BENCH_SCALE=large      also build and measure the 1M-patch scale point
  DATABASE_URL           use this PostgreSQL server instead of a throwaway cluster; its
                         database must be empty (it is filled), scratch databases named
                         after it are created beside it and dropped at the end
  BENCH_SHARED_DIR       where shared/ (mkcorpus.py) lives (default: ../shared)
  BENCH_CACHE_DIR        corpus, repositories and database dumps (default: bench/cache)
  BENCH_RESULTS_DIR      where results go (default: bench/results)
  BENCH_DURATION         seconds of measured load per endpoint and concurrency
  BENCH_FULL_INGEST=1    re-ingest the whole archive even when a database dump is cached
"""

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CorpusSize:
    """How the archive is made: synthetic repositories replayed ``repeat`` times."""

    repo_commits: int
    repeat: int
    projects: int = 3
    repos: tuple[str, ...] = ("alpha", "beta", "gamma")
    seed: int = 1


@dataclass(frozen=True)
class BenchConfig:
    quick: bool
    large: bool
    database_url: str | None
    shared_dir: Path
    cache_dir: Path
    results_dir: Path
    corpus: CorpusSize
    duration_s: float
    warmup_s: float
    floor_repeats: int
    small_slice_mails: int
    scale_slice_patches: int
    parsemail_mails: int
    parsemail_processes: int
    parsemail_max_s: float
    gunicorn_workers: int
    full_ingest: bool

    @property
    def python(self) -> Path:
        return REPO_ROOT / ".venv" / "bin" / "python"

    @property
    def mkcorpus(self) -> Path:
        return self.shared_dir / "tools" / "mkcorpus.py"


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def default_shared_dir() -> Path:
    configured = os.environ.get("BENCH_SHARED_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def load_config() -> BenchConfig:
    quick = env_flag("BENCH_QUICK")
    corpus = CorpusSize(repo_commits=250, repeat=1) if quick else CorpusSize(700, 40)
    default_duration = 1.0 if quick else 5.0
    return BenchConfig(
        quick=quick,
        large=os.environ.get("BENCH_SCALE", "").strip().lower() == "large",
        database_url=os.environ.get("DATABASE_URL") or None,
        shared_dir=default_shared_dir(),
        cache_dir=Path(os.environ.get("BENCH_CACHE_DIR", REPO_ROOT / "bench" / "cache")),
        results_dir=Path(os.environ.get("BENCH_RESULTS_DIR", REPO_ROOT / "bench" / "results")),
        corpus=corpus,
        duration_s=float(os.environ.get("BENCH_DURATION", default_duration)),
        warmup_s=0.2 if quick else 1.0,
        floor_repeats=15 if quick else 60,
        small_slice_mails=300 if quick else 2_000,
        scale_slice_patches=300 if quick else 10_000,
        parsemail_mails=100 if quick else 2_000,
        parsemail_processes=8,
        parsemail_max_s=15.0 if quick else 90.0,
        gunicorn_workers=2,
        full_ingest=env_flag("BENCH_FULL_INGEST"),
    )
