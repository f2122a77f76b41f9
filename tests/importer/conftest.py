"""The importer tier (marker ``importer``): a real Patchwork database restored from
``../shared/patchwork-db``, imported by ``manage.py import-patchwork`` into a database of
its own and served by gunicorn. PostgreSQL only (the PostgreSQL pass of .ci/run): the
dump is restored once per session with ``psql``.
"""

import lzma
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.conftest import shared_path
from tests.e2e.server import Server, manage, server_environment

DUMP = ("patchwork-db", "patchwork-644cef7c.sql.xz")
# The TIME_ZONE of the Patchwork that wrote the dump (its README).
SOURCE_TIME_ZONE = "Australia/Canberra"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and "test_schema" not in item.nodeid:
            item.add_marker(pytest.mark.importer)


def suite_postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme.lower() not in ("postgres", "postgresql", "pgsql"):
        pytest.skip("the importer tier runs in the PostgreSQL pass of .ci/run")
    return url


def libpq(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def find_psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
    if not candidates:
        pytest.skip("psql is not installed")
    return str(candidates[-1])


@dataclass
class PostgresDatabase:
    """A database of this tier on the suite's PostgreSQL server (dropped at the end)."""

    admin_url: str
    name: str

    @classmethod
    def create(
        cls, suite_url: str, suffix: str, template: "PostgresDatabase | None" = None
    ) -> "PostgresDatabase":
        base = urlsplit(suite_url).path.lstrip("/") or "patchwork"
        database = cls(suite_url, f"{base}_{suffix}_{os.getpid()}")
        database.drop()
        copy = f' TEMPLATE "{template.name}"' if template else ""
        database._execute(f'CREATE DATABASE "{database.name}"{copy}')
        return database

    @property
    def url(self) -> str:
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{self.name}"))

    def _execute(self, statement: str) -> None:
        with psycopg.connect(libpq(self.admin_url), autocommit=True) as connection:
            connection.execute(statement)

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(libpq(self.url)) as connection:
            return connection.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple = ()):
        return self.query(sql, params)[0][0]


def restore(dump: Path, database: PostgresDatabase) -> None:
    """``xz -dc dump | psql``, leaving out psql 15.14+'s ``\\restrict`` lines so that an
    older psql restores it too (the dump's README)."""
    process = subprocess.Popen(
        [find_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", libpq(database.url)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with lzma.open(dump, "rb") as sql:
        for line in sql:
            if not line.startswith((b"\\restrict ", b"\\unrestrict ")):
                process.stdin.write(line)
    process.stdin.close()
    errors = process.stderr.read().decode(errors="replace")
    assert process.wait() == 0, f"psql failed to restore {dump}:\n{errors}"


@pytest.fixture(scope="session")
def patchwork_source() -> Iterator[PostgresDatabase]:
    """The shared Patchwork dump, restored once per session (only read afterwards)."""
    suite_url = suite_postgres_url()
    dump = shared_path(*DUMP)
    database = PostgresDatabase.create(suite_url, "pwsource")
    try:
        restore(dump, database)
        yield database
    finally:
        database.drop()


@dataclass
class Target:
    """An empty database of this server (migrated), with the environment to run it."""

    database: PostgresDatabase
    environment: dict[str, str]

    def manage(self, *arguments: str) -> subprocess.CompletedProcess:
        return manage(self.environment, *arguments)

    def run(self, *arguments: str) -> subprocess.CompletedProcess:
        """``manage.py`` whatever its exit status."""
        return subprocess.run(
            [self.environment["PYTHON"], "manage.py", *arguments],
            env=self.environment,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def target_environment(database: PostgresDatabase, data_dir: Path) -> dict[str, str]:
    environment = server_environment(database.url, data_dir)
    # Patchwork's settings; dates must then read as Patchwork showed them.
    environment["TIME_ZONE"] = SOURCE_TIME_ZONE
    environment["PYTHON"] = sys.executable
    return environment


@pytest.fixture(scope="session")
def migrated(tmp_path_factory) -> Iterator[PostgresDatabase]:
    """An empty database of this server, migrated once: targets are copies of it."""
    database = PostgresDatabase.create(suite_postgres_url(), "migrated")
    try:
        manage(target_environment(database, tmp_path_factory.mktemp("migrated")), "migrate")
        yield database
    finally:
        database.drop()


def make_target(
    suffix: str, tmp_path_factory: pytest.TempPathFactory, template: PostgresDatabase
) -> Target:
    """A copy of the migrated database (CREATE DATABASE ... TEMPLATE: no migrate run)."""
    database = PostgresDatabase.create(suite_postgres_url(), suffix, template)
    return Target(database, target_environment(database, tmp_path_factory.mktemp(suffix)))


@pytest.fixture(scope="session")
def imported(patchwork_source, migrated, tmp_path_factory) -> Iterator[Target]:
    """The dump imported into an empty database, once for the session."""
    target = make_target("imported", tmp_path_factory, migrated)
    try:
        target.manage("import-patchwork", "--from", patchwork_source.url)
        yield target
    finally:
        target.database.drop()


@pytest.fixture(scope="session")
def served(imported, tmp_path_factory) -> Iterator[Server]:
    """gunicorn serving the imported database."""
    server = Server(imported.environment, tmp_path_factory.mktemp("gunicorn") / "log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_target(patchwork_source, migrated, tmp_path_factory) -> Iterator[Target]:
    target = make_target("target", tmp_path_factory, migrated)
    try:
        yield target
    finally:
        target.database.drop()
