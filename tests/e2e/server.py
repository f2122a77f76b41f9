"""A fresh database and a real gunicorn server for the end-to-end tier.

The database is a SQLite file in a temporary directory, or, when the suite runs with a
PostgreSQL ``DATABASE_URL``, a database of its own created on that server (and dropped
at the end) so that the test run's other databases are left alone.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MANAGE = REPO_ROOT / "manage.py"
SECRET_KEY = "e2e-tier-secret-key-not-used-anywhere-else-0123456789"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("postgres", "postgresql", "pgsql")


@dataclass
class Database:
    """The tier's own database: ``url`` is the DATABASE_URL every subprocess gets."""

    url: str
    postgres_admin_url: str | None = None
    name: str = ""

    @classmethod
    def create(cls, workdir: Path, suite_url: str | None) -> "Database":
        if suite_url and _is_postgres(suite_url):
            return cls._create_postgres(suite_url)
        return cls(url=f"sqlite:///{workdir / 'e2e.sqlite3'}")

    @classmethod
    def _create_postgres(cls, suite_url: str) -> "Database":
        parts = urlsplit(suite_url)
        base_name = parts.path.lstrip("/") or "patchwork"
        name = f"{base_name}_e2e_{os.getpid()}"
        database = cls(url=urlunsplit(parts._replace(path=f"/{name}")), name=name)
        database.postgres_admin_url = suite_url
        database._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        database._execute(f'CREATE DATABASE "{name}"')
        return database

    def _execute(self, statement: str) -> None:
        import psycopg

        # The suite's own database only serves as a place to connect from.
        with psycopg.connect(_libpq_url(self.postgres_admin_url), autocommit=True) as conn:
            conn.execute(statement)

    def drop(self) -> None:
        if self.postgres_admin_url:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _libpq_url(url: str) -> str:
    """libpq takes postgresql:// URLs; settings also accept postgres:// and pgsql://."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def server_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of every server-side subprocess: production settings, own data."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "PYTEST_"))
    }
    environment.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        PATCHWORK_DATA_DIR=str(data_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TIME_ZONE="UTC",
        LOG_LEVEL="WARNING",
    )
    return environment


def manage(
    environment: dict[str, str], *arguments: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess:
    """Run ``manage.py`` with the tier's environment; fails the test on a non-zero exit."""
    completed = subprocess.run(
        [str(VENV_BIN / "python"), str(MANAGE), *arguments],
        input=stdin,
        env=environment,
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(arguments)} exited {completed.returncode}\n"
            f"stdout:\n{completed.stdout.decode(errors='replace')}\n"
            f"stderr:\n{completed.stderr.decode(errors='replace')}"
        )
    return completed


@dataclass
class Server:
    """gunicorn serving the project on a free local port."""

    environment: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        environment = {
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
            **self.environment,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            env=environment,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        try:
            self._wait_until_ready()
        except BaseException:
            # Whatever interrupts the wait (a timeout, Ctrl-C) must not leave it running.
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}:\n{self.log()}")
            try:
                # A worker's first request imports the application: allow it time.
                if requests.get(f"{self.url}/api/", timeout=15).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /api/ in {READY_TIMEOUT}s:\n{self.log()}")

    def stop(self) -> None:
        """Terminate gunicorn (the master stops its workers), kill it if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def log(self, last_lines: int = 60) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-last_lines:])
