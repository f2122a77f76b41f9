"""Reading a Patchwork PostgreSQL database: read-only, one snapshot, streamed in batches."""

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import dict_row

from importer.schema import Schema, SourceQuery, detect_schema, source_queries


class SourceError(Exception):
    """The source cannot be read (connection refused, not a Patchwork database...)."""


class PatchworkDatabase:
    """A Patchwork database opened read-only in one REPEATABLE READ snapshot, so every
    table is read as of the same moment even while that Patchwork keeps running."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.connection = psycopg.connect(url, row_factory=dict_row, autocommit=False)
        except psycopg.Error as error:
            raise SourceError(f"cannot connect to the source database: {error}") from error
        self.connection.read_only = True
        self.connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self.schema = self._detect()
        self.queries = source_queries(self.schema)
        self._cursors = 0

    def _detect(self) -> Schema:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name FROM django_migrations WHERE app = 'patchwork' ORDER BY id"
                )
                applied = [row["name"] for row in cursor.fetchall()]
        except psycopg.errors.UndefinedTable as error:
            raise SourceError(
                "the source has no django_migrations table: it is not a Patchwork database"
            ) from error
        return detect_schema(applied)

    def naive_date_columns(self) -> list[str]:
        """Date columns stored without a time zone (a database not written by Django's
        PostgreSQL backend, e.g. converted from MySQL): they need --source-time-zone."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name || '.' || column_name AS name "
                "FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = 'timestamp without "
                "time zone' AND (table_name LIKE 'patchwork%' OR table_name IN "
                "('auth_user', 'authtoken_token')) ORDER BY 1"
            )
            return [row["name"] for row in cursor.fetchall()]

    def has_table(self, name: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL AS present", [name])
            return cursor.fetchone()["present"]

    def count(self, query: SourceQuery) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(query.count)
            return cursor.fetchone()["count"]

    def batches(
        self, query: SourceQuery, after: Any, batch_size: int
    ) -> Iterator[list[dict[str, Any]]]:
        """The rows after key ``after`` (None: from the start), in key order, in lists of
        at most ``batch_size``, through a server-side cursor (the table is never loaded)."""
        self._cursors += 1
        with self.connection.cursor(name=f"import_{self._cursors}") as cursor:
            cursor.itersize = batch_size
            params = [after] if after is not None else []
            cursor.execute(query.select_after(after is not None), params)
            while rows := cursor.fetchmany(batch_size):
                yield rows

    def close(self) -> None:
        self.connection.close()
