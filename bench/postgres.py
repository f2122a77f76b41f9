"""PostgreSQL for the benchmark: databases on the server, dumps, restores and counts."""

import glob
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@contextmanager
def connect(url: str, *, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    """A psycopg connection without server-side prepared statements (as Django uses it)."""
    with psycopg.connect(url, autocommit=autocommit, prepare_threshold=None) as connection:
        yield connection


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """(Re)create database ``name`` on the server of server_url; return its URL."""
    drop_database(server_url, name)
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with connect(with_database(server_url, "postgres")) as connection:
        connection.execute(statement)
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with connect(with_database(server_url, "postgres")) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def pg_binary(name: str) -> str:
    """A client binary matching the newest installed server, else the one on PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed")
    return found


def dump_database(url: str, target: Path) -> None:
    temporary = target.with_suffix(".tmp")
    subprocess.run(
        [pg_binary("pg_dump"), "--format=custom", "--compress=1", "-f", str(temporary), url],
        check=True,
    )
    temporary.replace(target)


def restore_database(url: str, dump: Path) -> None:
    subprocess.run(
        [pg_binary("pg_restore"), "--no-owner", "--jobs=2", "-d", url, str(dump)], check=True
    )


def analyze(url: str) -> None:
    with connect(url) as connection:
        connection.execute("VACUUM ANALYZE")


def scalar(url: str, query: str, params: tuple = ()) -> object:
    with connect(url) as connection:
        row = connection.execute(query, params).fetchone()
    return row[0] if row else None


def table_counts(url: str, tables: tuple[str, ...]) -> dict[str, int]:
    with connect(url) as connection:
        return {
            table: connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
