"""Queries compiled to SQL once and run again with other ids.

The compiled read path fetches rows by key with the same columns on every request (a
patch by id, the embedded patches of a page, its latest checks): building and compiling
such a ``values_list()`` query of some forty joined columns cost Django more than running
it. ``PreparedQuery`` compiles the queryset once (per thread and database), with a
sentinel in its one ``IN (...)`` list, and then only substitutes the ids: ``= ANY(%s)``
on PostgreSQL, one placeholder per id elsewhere. Other values of the query (a project's
linkname) may be given as arguments too: compiled with a marker, each substituted where
its marker was. The rows go through the same converters as the ORM's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.db import router
from django.db.models import QuerySet

from patchwork_api.database import prepared_cursor

SENTINEL = -918273645
# the sentinel of a list of text values (Django turns an integer into text for them)
TEXT_SENTINEL = "\x00prepared-ids"
SENTINELS = (SENTINEL, TEXT_SENTINEL)
# markers of the arguments: no stored text holds NUL; a lookup that would change its
# value (LIKE escaping of % _ and \ by iexact on SQLite, contains) is seen not to hold
# the marker as it is, and that query is left to the ORM
ARGUMENTS = tuple(f"\x00prepared_argument%{index}\\" for index in range(4))
MISSING = object()
_local = threading.local()


class Compiled:
    def __init__(self, queryset: QuerySet, arity: int = 0, *, ids: bool = True):
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        params = list(params)
        # where each argument goes: its position in the parameters, which stay in order
        self.arguments = []
        for marker in ARGUMENTS[:arity]:
            found = [i for i, value in enumerate(params) if value == marker]
            if len(found) != 1:
                raise ValueError("an argument of a prepared query must be one parameter")
            self.arguments.append(found[0])
        positions = [i for i, value in enumerate(params) if value in SENTINELS]
        if not positions and not ids:
            self.sql, self.params, self.ids_position = sql, params, None
            self._converters(compiler)
            return
        marker = " IN (%s)"
        if len(positions) != 1 or sql.count(marker) < 1:
            raise ValueError("a prepared query needs exactly one IN list of the sentinel")
        # the placeholder of params[k] is the k-th "%s" of the SQL
        index = -1
        for _ in range(positions[0] + 1):
            index = sql.index("%s", index + 1)
        start = index - len(" IN (")
        if sql[start : index + 3] != marker:
            raise ValueError("the sentinel is not alone in an IN list")
        self.before = sql[:start]
        self.after = sql[index + 3 :]
        self.ids_position = positions[0]
        self.params = params
        self._converters(compiler)

    def _converters(self, compiler) -> None:
        self.compiler = compiler
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.connection = compiler.connection
        self.any_array = self.connection.vendor == "postgresql"

    def run(self, ids: list, arguments: tuple = ()) -> list[tuple]:
        values = list(self.params)
        for position, value in zip(self.arguments, arguments, strict=True):
            values[position] = value
        if self.ids_position is None:
            sql, params = self.sql, values
        elif self.any_array:
            sql = f"{self.before} = ANY(%s){self.after}"
            params = [*values[: self.ids_position], list(ids), *values[self.ids_position + 1 :]]
        else:
            placeholders = ", ".join(["%s"] * len(ids))
            sql = f"{self.before} IN ({placeholders}){self.after}"
            params = [*values[: self.ids_position], *ids, *values[self.ids_position + 1 :]]
        cursor = prepared_cursor(self.connection) or self.connection.cursor()
        with cursor:
            cursor.execute(sql, params)
            rows: Iterable = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [tuple(row) for row in rows]


class PreparedQuery:
    """``make(ids, *arguments)`` -> a queryset of those ids, run as SQL compiled once.

    ``arity`` arguments (at most four) are values ``make`` must use as they are, each in
    one parameter (an exact match); the ids go into an ``__in`` lookup (of integers, or
    of text: ``text=True``)."""

    has_ids = True

    def __init__(self, make, arity: int = 0, *, text: bool = False):
        self.make = make
        self.arity = arity
        self.sentinel = TEXT_SENTINEL if text else SENTINEL
        self.key = id(self)
        self.model = None

    def __call__(self, ids: list, *arguments) -> list[tuple]:
        if not ids:
            return []
        return self.run(ids, arguments)

    def run(self, ids: list, arguments: tuple) -> list[tuple]:
        ids_arguments = (ids,) if self.has_ids else ()
        compiled = self.compiled()
        if compiled is None:
            return [tuple(row) for row in self.make(*ids_arguments, *arguments)]
        return compiled.run(ids, arguments)

    def compiled(self) -> Compiled | None:
        """The SQL of ``make``, compiled once per thread and database (None: the ORM runs
        it every time, as for a lookup that changes its value)."""
        cache = _local.__dict__.setdefault("prepared", {})
        # the queryset is built only to compile it
        database = router.db_for_read(self.model) if self.model is not None else None
        compiled = cache.get((self.key, database), MISSING)
        if compiled is MISSING:
            ids_arguments = ([self.sentinel],) if self.has_ids else ()
            queryset = self.make(*ids_arguments, *ARGUMENTS[: self.arity])
            self.model = queryset.model
            try:
                compiled = Compiled(queryset, self.arity, ids=self.has_ids)
            except ValueError:
                compiled = None
            cache[(self.key, queryset.db)] = compiled
        return compiled


class PreparedLookup(PreparedQuery):
    """``make(*arguments)`` -> a queryset, run as SQL compiled once (``PreparedQuery``
    without a list of ids): a row looked up by a value, such as a project by linkname."""

    has_ids = False

    def __call__(self, *arguments) -> list[tuple]:  # type: ignore[override]
        return self.run([], arguments)
