"""``search=``: patches whose name, commit message or diff hold every word, ranked.

The words are those of ``q`` (whitespace-separated, at most ``MAX_SEARCH_WORDS``). The
queryset gets a ``search_rank`` annotation (higher is better) that the patch list orders
by when no ``order`` is given.
"""

from typing import Any

from django.db import connections
from django.db.models import BooleanField, Expression, Field, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from patchwork_api import limits, validation
from search.index import FTS_TABLE, TABLE, TS_CONFIG, VECTOR_COLUMN

# bm25 weights of name, commit message and diff (SQLite).
SQLITE_WEIGHTS = "10.0, 2.0, 1.0"


class PatchSQL(Expression):
    """SQL about the patch row: ``{patch}`` becomes the alias the query gives
    ``patches_patch``, so the expression stays right inside a subquery (``U0``), as the
    deep-page paginator and ``pk__in`` make."""

    def __init__(self, template: str, params: list[Any], output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.template, self.params = template, params

    @property
    def conditional(self) -> bool:
        return isinstance(self.output_field, BooleanField)

    def as_sql(self, compiler, connection) -> tuple[str, list[Any]]:
        alias = compiler.query.base_table or TABLE
        return self.template.format(patch=compiler.quote_name_unless_alias(alias)), self.params


def full_text_search(queryset: QuerySet, value: str, *, rank: bool = True) -> QuerySet:
    """Filter ``queryset`` (patches) by the words of ``value``; with ``rank``, add
    ``search_rank`` (higher is better) to order by."""
    words = list(dict.fromkeys(validation.search_words(value or "")))
    if not words:
        return queryset
    if len(value) > limits.MAX_FILTER_VALUE_LENGTH or not validation.is_storable_text(value):
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _postgresql(queryset, words, rank=rank)
    if vendor == "sqlite":
        return _sqlite(queryset, words) if rank else _sqlite_unranked(queryset, words)
    return _fallback(queryset, words)


def _postgresql(queryset: QuerySet, words: list[str], *, rank: bool) -> QuerySet:
    # each word a phrase (``widget_frobnicate`` is two lexemes side by side), all required
    vector = f"{{patch}}.{VECTOR_COLUMN}"
    tsquery = "(" + " && ".join([f"phraseto_tsquery('{TS_CONFIG}', %s)"] * len(words)) + ")"
    queryset = queryset.filter(PatchSQL(f"{vector} @@ {tsquery}", words, BooleanField()))
    if not rank:
        return queryset
    return queryset.annotate(
        search_rank=PatchSQL(f"ts_rank({vector}, {tsquery})", words, FloatField())
    )


def sqlite_match(words: list[str]) -> str:
    """An FTS5 query: every word as a quoted string (no operators), all required."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _sqlite(queryset: QuerySet, words: list[str]) -> QuerySet:
    # joined (not a correlated subquery): FTS5 scans the words' doclists once and gives
    # each matching row its bm25 in the same pass. The unary + keeps SQLite from driving
    # the join from patches_patch with one MATCH per patch. Inside a subquery the
    # unaliased patch_search is the subquery's own.
    condition = f"+{FTS_TABLE}.rowid = {{patch}}.id AND {FTS_TABLE} MATCH %s"
    return queryset.extra(
        select={"search_rank": f"-bm25({FTS_TABLE}, {SQLITE_WEIGHTS})"}, tables=[FTS_TABLE]
    ).filter(PatchSQL(condition, [sqlite_match(words)], BooleanField()))


def _sqlite_unranked(queryset: QuerySet, words: list[str]) -> QuerySet:
    # a subquery SQLite runs once: joined, ordering by id made it run MATCH for each row
    matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    return queryset.filter(pk__in=RawSQL(matching, [sqlite_match(words)]))


def _fallback(queryset: QuerySet, words: list[str]) -> QuerySet:
    for word in words:
        queryset = queryset.filter(
            Q(name__icontains=word) | Q(content__icontains=word) | Q(diff__icontains=word)
        )
    return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
