"""Environment and command lines for the Django processes the benchmark starts."""

import os
import subprocess
from pathlib import Path

from bench.config import REPO_ROOT

BENCH_SECRET_KEY = "benchmark-only-secret-key-not-for-production-use-0123456789"


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """A production-like environment (DEBUG off) pointing at database_url."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage_command(python: Path, *args: str) -> list[str]:
    return [str(python), str(REPO_ROOT / "manage.py"), *args]


def manage(python: Path, database_url: str, *args: str, stdin: bytes | None = None) -> str:
    """Run a management command; return its stdout, raising with its stderr on failure."""
    completed = subprocess.run(
        manage_command(python, *args),
        env=django_env(database_url),
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
    )
    if completed.returncode != 0:
        raise CommandFailed(args, completed.returncode, completed.stderr.decode(errors="replace"))
    return completed.stdout.decode(errors="replace")


def has_command(python: Path, database_url: str, name: str) -> bool:
    """Whether ``manage.py help`` lists the command (ingest may not have landed yet)."""
    listing = manage(python, database_url, "help", "--commands")
    return name in listing.split()


class CommandFailed(RuntimeError):
    def __init__(self, args: tuple[str, ...], returncode: int, stderr: str) -> None:
        tail = stderr.strip().splitlines()[-5:]
        super().__init__(f"manage.py {' '.join(args[:2])} exited {returncode}: {' | '.join(tail)}")
        self.stderr = stderr
