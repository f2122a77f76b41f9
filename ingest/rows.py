"""Writing a mail's rows with plain SQL.

At import rates the ORM's work around each statement (building the query, the model's
save machinery) costs more than the statement itself, so the few writes every mail makes
go through these helpers. Values are converted by the model fields as the ORM would
(``get_db_prep_save``), and no model defines save() logic or signals, so the rows are the
ones the ORM would write.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Model
from django.db.models.constants import OnConflict


def insert(model: type[Model], values: dict[str, object]) -> int:
    """Insert one row (values by attribute name, e.g. ``patch_id``); return its id.

    Fields left out get their model default, as with ``Model.objects.create``.
    """
    columns, parameters = _columns_and_parameters(model, with_defaults(model, values))
    marks = ", ".join(["%s"] * len(columns))
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
        f"VALUES ({marks}) RETURNING {quote(model._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]


def insert_new(model: type[Model], values: dict[str, object]) -> Model:
    """Insert one row and return it as a model instance."""
    values = with_defaults(model, values)
    instance = model(id=insert(model, values), **values)
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def insert_ignoring_conflicts(model: type[Model], rows: Iterable[dict[str, object]]) -> None:
    """Insert rows in one statement, skipping those that break a unique constraint."""
    rows = list(rows)
    if not rows:
        return
    columns, _ = _columns_and_parameters(model, rows[0])
    parameters = []
    for row in rows:
        parameters.extend(_columns_and_parameters(model, row)[1])
    fields = [model._meta.get_field(name) for name in rows[0]]
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    statement = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, [], [])
    sql = (
        f"{statement} {connection.ops.quote_name(model._meta.db_table)} "
        f"({', '.join(columns)}) VALUES {', '.join([row_marks] * len(rows))} {suffix}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def update(model: type[Model], pk: int, values: dict[str, object]) -> None:
    """Set columns of the row with this id."""
    columns, parameters = _columns_and_parameters(model, values)
    assignments = ", ".join(f"{column} = %s" for column in columns)
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parameters, pk])


def with_defaults(model: type[Model], values: dict[str, object]) -> dict[str, object]:
    missing = {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if field.attname not in values and field.has_default() and not field.primary_key
    }
    return {**missing, **values}


def _columns_and_parameters(
    model: type[Model], values: dict[str, object]
) -> tuple[list[str], list[object]]:
    fields = _fields_by_attname(model)
    quote = connection.ops.quote_name
    columns, parameters = [], []
    for attname, value in values.items():
        field = fields[attname]
        columns.append(quote(field.column))
        parameters.append(field.get_db_prep_save(value, connection))
    return columns, parameters


_FIELDS: dict[type[Model], dict] = {}


def _fields_by_attname(model: type[Model]) -> dict:
    if model not in _FIELDS:
        _FIELDS[model] = {field.attname: field for field in model._meta.concrete_fields}
    return _FIELDS[model]
