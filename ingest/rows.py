"""Writing a mail's rows with plain SQL.

At import rates the ORM's work around each statement (building the query, the model's
save machinery) costs more than the statement itself, so the few writes every mail makes
go through these helpers. Values are converted by the model fields as the ORM would
(``get_db_prep_save``), and no model defines save() logic or signals, so the rows are the
ones the ORM would write. Each statement's text is built once per model and column set,
and the statements share one cursor per database connection.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import (
    BooleanField,
    CharField,
    Field,
    ForeignKey,
    Model,
    TextField,
)
from django.db.models.constants import OnConflict
from django.db.models.fields import AutoFieldMixin

CURSOR_ATTRIBUTE = "_ingest_rows_cursor"


def database() -> BaseDatabaseWrapper:
    """The default connection itself (not the proxy, which costs a look-up per use)."""
    return connections[DEFAULT_DB_ALIAS]


def cursor() -> CursorWrapper:
    """A cursor of the current connection, opened once and reused for every statement.

    A new one is opened when the connection was replaced, or when query logging was
    switched on or off (a debug cursor records queries for ``connection.queries`` and the
    query-counting test helpers).
    """
    db = database()
    db.ensure_connection()
    cached = getattr(db, CURSOR_ATTRIBUTE, None)
    if (
        cached is None
        or getattr(cached.cursor, "closed", False)
        or cached.cursor.connection is not db.connection
        or isinstance(cached, CursorDebugWrapper) != db.queries_logged
    ):
        cached = db.cursor()
        setattr(db, CURSOR_ATTRIBUTE, cached)
    return cached


def run(sql: str, parameters: Sequence[object]) -> CursorWrapper:
    """Execute a statement on the shared cursor; fetch its rows from what is returned."""
    shared = cursor()
    shared.execute(sql, parameters)
    return shared


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[Field, ...]
    # Per field, the Python type whose values the field stores unchanged (None: convert).
    plain_types: tuple[type | None, ...]

    def parameters(self, values: Iterable[object], *, rows: int = 1) -> list[object]:
        """The values of ``rows`` rows (one after the other), as the fields store them."""
        db = database()
        return [
            value
            if value is None or type(value) is plain_type
            else field.get_db_prep_save(value, db)
            for field, plain_type, value in zip(
                self.fields * rows, self.plain_types * rows, values, strict=True
            )
        ]


def _plain_type(field: Field) -> type | None:
    """The type a field's values go to the database as they are (text, ids, flags).

    For these fields ``get_db_prep_save`` returns such a value unchanged; dates, JSON
    and the rest are converted by the field.
    """
    if isinstance(field, ForeignKey):
        return _plain_type(field.target_field)
    if isinstance(field, CharField | TextField):
        return str
    if isinstance(field, BooleanField):
        return bool
    if isinstance(field, AutoFieldMixin):
        return int  # ids; other integer fields are typed for PostgreSQL (Int2, Int4)
    return None


_STATEMENTS: dict[tuple, _Statement] = {}


def insert(model: type[Model], values: dict[str, object]) -> int:
    """Insert one row (values by attribute name, e.g. ``patch_id``); return its id.

    Fields left out get their model default, as with ``Model.objects.create``.
    """
    values = with_defaults(model, values)
    statement = _statement("insert", model, tuple(values))
    return run(statement.sql, statement.parameters(values.values())).fetchone()[0]


def insert_new(model: type[Model], values: dict[str, object]) -> Model:
    """Insert one row and return it as a model instance."""
    values = with_defaults(model, values)
    instance = model(id=insert(model, values), **values)
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def insert_ignoring_conflicts(model: type[Model], rows: Iterable[dict[str, object]]) -> None:
    """Insert rows in one statement, skipping those that break a unique constraint."""
    rows = list(rows)
    if not rows:
        return
    statement = _statement("insert-ignoring", model, tuple(rows[0]), len(rows))
    values = [value for row in rows for value in row.values()]
    run(statement.sql, statement.parameters(values, rows=len(rows)))


def update(model: type[Model], pk: int, values: dict[str, object]) -> None:
    """Set columns of the row with this id."""
    statement = _statement("update", model, tuple(values))
    run(statement.sql, [*statement.parameters(values.values()), pk])


def with_defaults(model: type[Model], values: dict[str, object]) -> dict[str, object]:
    missing = {
        field.attname: field.get_default()
        for field in _defaulted_fields(model)
        if field.attname not in values
    }
    return {**missing, **values} if missing else values


def _statement(
    kind: str, model: type[Model], attnames: tuple[str, ...], rows: int = 1
) -> _Statement:
    key = (database().vendor, kind, model, attnames, rows)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = _build(kind, model, attnames, rows)
    return statement


def _build(kind: str, model: type[Model], attnames: tuple[str, ...], rows: int) -> _Statement:
    db = database()
    quote = db.ops.quote_name
    fields = tuple(_fields_by_attname(model)[attname] for attname in attnames)
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if kind == "insert":
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {row_marks} "
            f"RETURNING {quote(model._meta.pk.column)}"
        )
    elif kind == "insert-ignoring":
        statement = db.ops.insert_statement(on_conflict=OnConflict.IGNORE)
        suffix = db.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, [], [])
        sql = f"{statement} {table} ({columns}) VALUES {', '.join([row_marks] * rows)} {suffix}"
    else:
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    return _Statement(sql, fields, tuple(_plain_type(field) for field in fields))


_FIELDS: dict[type[Model], dict] = {}
_DEFAULTED: dict[type[Model], list] = {}


def _fields_by_attname(model: type[Model]) -> dict:
    if model not in _FIELDS:
        _FIELDS[model] = {field.attname: field for field in model._meta.concrete_fields}
    return _FIELDS[model]


def _defaulted_fields(model: type[Model]) -> list:
    if model not in _DEFAULTED:
        _DEFAULTED[model] = [
            field
            for field in model._meta.concrete_fields
            if field.has_default() and not field.primary_key
        ]
    return _DEFAULTED[model]
