"""Queries compiled to SQL once and run again with other ids.

The compiled read path fetches rows by key with the same columns on every request (a
patch by id, the embedded patches of a page, its latest checks): building and compiling
such a ``values_list()`` query of some forty joined columns cost Django more than running
it. ``PreparedQuery`` compiles the queryset once (per thread and database), with a
sentinel in its one ``IN (...)`` list, and then only substitutes the ids: ``= ANY(%s)``
on PostgreSQL, one placeholder per id elsewhere. The rows go through the same converters
as the ORM's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.db import router
from django.db.models import QuerySet

from patchwork_api.database import prepared_cursor

SENTINEL = -918273645
MISSING = object()
_local = threading.local()


class Compiled:
    def __init__(self, queryset: QuerySet):
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        positions = [i for i, value in enumerate(params) if value == SENTINEL]
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
        self.params_before = list(params[: positions[0]])
        self.params_after = list(params[positions[0] + 1 :])
        self.compiler = compiler
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.connection = compiler.connection
        self.any_array = self.connection.vendor == "postgresql"

    def run(self, ids: list) -> list[tuple]:
        if self.any_array:
            sql = f"{self.before} = ANY(%s){self.after}"
            params = [*self.params_before, list(ids), *self.params_after]
        else:
            placeholders = ", ".join(["%s"] * len(ids))
            sql = f"{self.before} IN ({placeholders}){self.after}"
            params = [*self.params_before, *ids, *self.params_after]
        cursor = prepared_cursor(self.connection) or self.connection.cursor()
        with cursor:
            cursor.execute(sql, params)
            rows: Iterable = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [tuple(row) for row in rows]


class PreparedQuery:
    """``make(ids)`` -> a queryset of those ids, run as SQL compiled once."""

    def __init__(self, make):
        self.make = make
        self.key = id(self)
        self.model = None

    def __call__(self, ids: list) -> list[tuple]:
        if not ids:
            return []
        cache = _local.__dict__.setdefault("prepared", {})
        # the queryset is built only to compile it: once per thread and database
        database = router.db_for_read(self.model) if self.model is not None else None
        compiled = cache.get((self.key, database), MISSING)
        if compiled is MISSING:
            queryset = self.make([SENTINEL])
            self.model = queryset.model
            try:
                compiled = Compiled(queryset)
            except ValueError:
                compiled = None
            cache[(self.key, queryset.db)] = compiled
        if compiled is None:
            return [tuple(row) for row in self.make(ids)]
        return compiled.run(ids)
