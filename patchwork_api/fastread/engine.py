"""The compiled read path's engine: declarative shapes compiled once per API version
into a column list and a row renderer, and JSON bytes as DRF's JSONRenderer writes them.

A *shape* is a model and its fields, in output order. Each field says where its value
comes from:

- ``Col``: a column of the row (``"name"``, or a joined ``"project__linkname"``);
- ``Fn``: a function of some columns (``person.name or person.email``);
- ``ApiUrl`` / ``WebUrl``: an absolute link, from a route reversed once into a template;
- ``Embed``: another shape joined into the same row (``project``, ``submitter``);
- ``Ref``: another shape fetched by id, one query per page for all rows (event payloads);
- ``Children``: a list of rows pointing at this one, one query per page (series patches);
- ``Extra``: a value computed for the page's rows by a loader (a patch's ``check``).

``since`` leaves a field out of older API versions, as the serializers'
``versioned_fields`` do. Compiling a shape for a version (and URL prefix) flattens it into
one ``values_list()`` column list and a tree of small getters over the row tuple.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson
from django.db.models import Model, QuerySet
from django.urls import get_script_prefix, reverse

from patchwork_api.api.urltemplates import SAFE_PATH_CHARACTERS, UrlTemplate, build_template
from patchwork_api.api.versions import Version
from patchwork_api.fastread.prepared import PreparedQuery

Row = tuple
Getter = Callable[[Row, "Context"], Any]


# --- fields ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Field:
    key: str
    since: Version = (1, 0)
    # the last version that shows the field (None: every later one)
    until: Version | None = None
    # a boolean column of the row: the key is left out of objects whose value is false
    # (a series shows its dependencies only when its project does)
    only_if: str | None = None

    def shown_in(self, version: Version) -> bool:
        return version >= self.since and (self.until is None or version <= self.until)


@dataclass(frozen=True, kw_only=True)
class Col(Field):
    column: str
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Fn(Field):
    columns: tuple[str, ...]
    fn: Callable[..., Any]


@dataclass(frozen=True, kw_only=True)
class ApiUrl(Field):
    """An API link (``reverse(route, kwargs, request=request)``, versioned as the request)."""

    route: str
    kwargs: tuple[tuple[str, str], ...] = (("pk", "id"),)  # (URL kwarg, column)
    # /api/... whatever the request's version (Patchwork's checks and comments links)
    unversioned: bool = False


@dataclass(frozen=True, kw_only=True)
class WebUrl(Field):
    """A link to a web page or download; ``convert`` maps each column value first and
    ``suffix`` is appended (``?series=<id>``)."""

    route: str
    kwargs: tuple[tuple[str, str], ...]
    convert: tuple[Callable[[Any], Any] | None, ...] = ()
    suffix: Callable[[Row, Context], str] | None = None
    suffix_columns: tuple[str, ...] = ()
    fn: Callable[..., Any] | None = None  # fn(url, *fn_columns) -> value
    fn_columns: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Embed(Field):
    """A shape joined into this row through ``path``; null when its ``id`` is null;
    ``many`` wraps it in a list (``[]`` when null)."""

    path: str
    shape: Shape
    many: bool = False


@dataclass(frozen=True, kw_only=True)
class Ref(Field):
    """A shape fetched by the id in ``column`` (one query for the page)."""

    column: str
    shape: Shape


@dataclass(frozen=True, kw_only=True)
class Children(Field):
    """Rows of ``shape`` whose ``child_column`` equals this row's ``column``, in
    ``order``; ``exclude_self`` leaves out the child that is this row (relations)."""

    column: str
    shape: Shape
    child_column: str
    order: tuple[Any, ...] = ("id",)
    exclude_self: bool = False
    # a through table instead (many-to-many): model, its parent and child columns
    through: tuple[type[Model], str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class Extra(Field):
    """A value per row from ``loader(values_of_column, context) -> {value: result}``,
    ``default`` for rows the loader does not name."""

    column: str
    loader: Callable[[list[Any], Context], dict[Any, Any]]
    default: Any = None


@dataclass(frozen=True, kw_only=True)
class Switch(Field):
    """An object whose fields depend on the value of ``column`` (event payloads)."""

    column: str
    cases: dict[Any, tuple[Field, ...]]


@dataclass(frozen=True)
class Shape:
    model: type[Model]
    fields: tuple[Field, ...]
    name: str = ""
    # rendered as the value of its one field rather than an object (a list of URLs)
    bare: bool = False


# --- conversions shared by the plans -------------------------------------------------------


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField renders with ``DATETIME_FORMAT = "iso-8601"``."""
    if value is None:
        return None
    text = value.isoformat()
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


# --- per request ---------------------------------------------------------------------


@dataclass
class Context:
    """What a request adds to a compiled shape: the scheme and host of absolute links,
    and the results of the page's batched queries."""

    origin: str
    version: Version
    version_text: str | None
    batches: dict[int, dict[Any, Any]] = field(default_factory=dict)


# --- compilation -----------------------------------------------------------------------

_api_templates: dict[tuple, UrlTemplate] = {}


def url_template(route: str, names: tuple[str, ...], version_text: str | None) -> UrlTemplate:
    """The path template of a route (reversed once per route, version and script prefix)."""
    key = (route, names, version_text, get_script_prefix())
    template = _api_templates.get(key)
    if template is None:
        extra = {"version": version_text} if version_text is not None else {}
        template = build_template(
            lambda placeholders: reverse(route, kwargs={**placeholders, **extra}), list(names)
        )
        _api_templates[key] = template
    return template


@dataclass
class Batch:
    """A query run once per page for a ``Ref``, ``Children`` or ``Extra`` field."""

    index: int  # the column of the row holding the key
    load: Callable[[list[Any], Context], dict[Any, Any]]


class Compiled:
    """A shape compiled for one API version: the columns to select and a renderer."""

    def __init__(self, shape: Shape, version: Version, version_text: str | None):
        self.shape = shape
        self.version = version
        self.version_text = version_text
        self.columns: list[str] = []
        self._indexes: dict[str, int] = {}
        self.batches: list[Batch] = []
        self._batch_keys: dict[tuple, int] = {}
        self._template: QuerySet | None = None
        self._by_ids: PreparedQuery | None = None
        self.render_row = self._object(shape, "")

    def index(self, column: str) -> int:
        if column not in self._indexes:
            self._indexes[column] = len(self.columns)
            self.columns.append(column)
        return self._indexes[column]

    def _batch(self, key: tuple, make: Callable[[], Batch]) -> int:
        """The index of a batch, one per column and shape (a payload names the same
        patch in several categories: one query)."""
        if key not in self._batch_keys:
            self._batch_keys[key] = len(self.batches)
            self.batches.append(make())
        return self._batch_keys[key]

    def _object(self, shape: Shape, prefix: str) -> Callable[[Row, Context], dict]:
        getters = self._getters(shape.fields, prefix)
        if shape.bare:
            return getters[0][1]
        conditions = [
            (item.key, self.index(prefix + item.only_if))
            for item in shape.fields
            if item.only_if and item.shown_in(self.version)
        ]

        def render(row: Row, context: Context) -> dict:
            return {key: getter(row, context) for key, getter in getters}

        if not conditions:
            return render

        def render_some(row: Row, context: Context) -> dict:
            data = render(row, context)
            for key, i in conditions:
                if not row[i]:
                    del data[key]
            return data

        return render_some

    def _getters(self, fields: Iterable[Field], prefix: str) -> list[tuple[str, Getter]]:
        return [
            (item.key, self._getter(item, prefix))
            for item in fields
            if item.shown_in(self.version)
        ]

    def _getter(self, item: Field, prefix: str) -> Getter:
        if isinstance(item, Col):
            i = self.index(prefix + item.column)
            convert = item.convert
            if convert is None:
                return lambda row, context: row[i]
            return lambda row, context: convert(row[i])
        if isinstance(item, Fn):
            indexes = [self.index(prefix + column) for column in item.columns]
            fn = item.fn
            return lambda row, context: fn(*[row[i] for i in indexes])
        if isinstance(item, ApiUrl):
            version_text = None if item.unversioned else self.version_text
            return self._url_getter(
                item.route, item.kwargs, prefix, (), version_text, None, None, ()
            )
        if isinstance(item, WebUrl):
            return self._url_getter(
                item.route,
                item.kwargs,
                prefix,
                item.convert,
                None,
                (item.suffix, [self.index(prefix + c) for c in item.suffix_columns])
                if item.suffix
                else None,
                item.fn,
                [self.index(prefix + c) for c in item.fn_columns],
            )
        if isinstance(item, Embed):
            inner = prefix + item.path + "__"
            id_index = self.index(inner + "id")
            render = self._object(item.shape, inner)
            if item.many:
                return lambda row, context: [] if row[id_index] is None else [render(row, context)]
            return lambda row, context: None if row[id_index] is None else render(row, context)
        if isinstance(item, Ref):
            i = self.index(prefix + item.column)
            key = self._batch(
                ("ref", i, id(item.shape)),
                lambda: Batch(i, ref_loader(item.shape, self.version, self.version_text)),
            )

            def get_ref(row: Row, context: Context) -> Any:
                value = row[i]
                return None if value is None else context.batches[key].get(value)

            return get_ref
        if isinstance(item, Children):
            i = self.index(prefix + item.column)
            id_index = self.index(prefix + "id")
            key = len(self.batches)
            self.batches.append(Batch(i, children_loader(item, self.version, self.version_text)))
            if item.exclude_self:

                def get_children(row: Row, context: Context) -> list:
                    value = row[i]
                    if value is None:
                        return []
                    me = row[id_index]
                    return [d for pk, d in context.batches[key].get(value, ()) if pk != me]

                return get_children
            return lambda row, context: (
                [] if row[i] is None else [d for _, d in context.batches[key].get(row[i], ())]
            )
        if isinstance(item, Extra):
            i = self.index(prefix + item.column)
            key = len(self.batches)
            self.batches.append(Batch(i, item.loader))
            default = item.default
            return lambda row, context: context.batches[key].get(row[i], default)
        if isinstance(item, Switch):
            i = self.index(prefix + item.column)
            cases = {
                getattr(value, "value", value): self._getters(fields, prefix)
                for value, fields in item.cases.items()
            }

            def get_switch(row: Row, context: Context) -> dict:
                return {key: getter(row, context) for key, getter in cases.get(row[i], ())}

            return get_switch
        raise TypeError(f"unknown field kind {item!r}")

    def _url_getter(
        self,
        route: str,
        kwargs: tuple[tuple[str, str], ...],
        prefix: str,
        converters: tuple,
        version_text: str | None,
        suffix: tuple | None,
        fn: Callable | None,
        fn_indexes: list[int],
    ) -> Getter:
        names = tuple(name for name, _ in kwargs)
        indexes = [self.index(prefix + column) for _, column in kwargs]
        convert = list(converters) + [None] * (len(indexes) - len(converters))
        parts = url_template(route, names, version_text).parts
        # the template as its first literal, then (row column, converter, literal after)
        # per hole: a URL is the origin and a few concatenations
        head = parts[0]
        holes = [
            (indexes[hole], convert[hole], tail)
            for hole, tail in zip(parts[1::2], parts[2::2], strict=True)
        ]
        if len(holes) == 1 and holes[0][1] is None and suffix is None and fn is None:
            ((column, _, tail),) = holes

            def one_hole_url(row: Row, context: Context) -> str:
                value = row[column]
                text = value if type(value) is int else url_segment(value)
                return f"{context.origin}{head}{text}{tail}"

            return one_hole_url

        def url(row: Row, context: Context) -> str:
            text = context.origin + head
            for column, converter, tail in holes:
                value = row[column] if converter is None else converter(row[column])
                text += (str(value) if type(value) is int else url_segment(value)) + tail
            if suffix is not None:
                text += suffix[0](*[row[j] for j in suffix[1]])
            if fn is not None:
                return fn(text, *[row[j] for j in fn_indexes])
            return text

        return url

    def rows(self, queryset: QuerySet | None = None) -> QuerySet:
        """``values_list()`` of the columns: of ``queryset``, or of every row of the
        model, made once (setting up some forty joined columns costs more than cloning)."""
        if queryset is not None:
            return queryset.values_list(*self.columns)
        if self._template is None:
            self._template = self.shape.model._default_manager.values_list(*self.columns)
        return self._template.all()

    def by_ids(self, ids: list) -> list[Row]:
        """The rows of these primary keys (in no particular order), by SQL compiled once."""
        if self._by_ids is None:
            self._by_ids = PreparedQuery(lambda keys: self.rows().filter(pk__in=keys))
        return self._by_ids(ids)

    def in_order(self, keys: Sequence[Any]) -> list[Row]:
        """The rows of these primary keys (``by_ids``), in the keys' order."""
        key_index = self._indexes["id"]
        by_key = {row[key_index]: row for row in self.by_ids(list(dict.fromkeys(keys)))}
        return [by_key[key] for key in keys if key in by_key]

    @property
    def keyed(self) -> bool:
        """Whether its rows can be fetched by key (the key is one of its columns)."""
        return "id" in self._indexes

    def load(self, rows: Sequence[Row], context: Context) -> None:
        """Run the page's batched queries (at most one per batch field)."""
        for key, batch in enumerate(self.batches):
            values = list(dict.fromkeys(row[batch.index] for row in rows))
            values = [value for value in values if value is not None]
            context.batches[key] = batch.load(values, context) if values else {}

    def render(self, rows: Sequence[Row], context: Context) -> list[dict]:
        self.load(rows, context)
        render_row = self.render_row
        return [render_row(row, context) for row in rows]


# what ``quote`` leaves as it is: its unreserved characters and the safe ones
UNQUOTED_RE = re.compile(f"[A-Za-z0-9_.~{re.escape(SAFE_PATH_CHARACTERS)}-]*")


def url_segment(value: Any) -> str:
    """A value in a URL path, quoted as ``UrlTemplate.fill`` quotes it (most Message-IDs
    need no quoting: they are checked, not rebuilt)."""
    text = str(value)
    if UNQUOTED_RE.fullmatch(text):
        return text
    return quote(text, safe=SAFE_PATH_CHARACTERS)


_compiled: dict[tuple, Compiled] = {}


def compiled(shape: Shape, version: Version, version_text: str | None) -> Compiled:
    """The shape compiled for a version (once per process, script prefix and version)."""
    key = (id(shape), version, version_text, get_script_prefix())
    result = _compiled.get(key)
    if result is None:
        result = _compiled[key] = Compiled(shape, version, version_text)
    return result


def ref_loader(shape: Shape, version: Version, version_text: str | None):
    def load(ids: list[Any], context: Context) -> dict[Any, Any]:
        plan = compiled(shape, version, version_text)
        rows = plan.by_ids(ids)
        sub = Context(context.origin, context.version, context.version_text)
        rendered = plan.render(rows, sub)
        id_index = plan.index("id")
        return {row[id_index]: data for row, data in zip(rows, rendered, strict=True)}

    return load


def children_loader(item: Children, version: Version, version_text: str | None):
    prepared: list[PreparedQuery] = []

    def load(parents: list[Any], context: Context) -> dict[Any, list]:
        plan = compiled(item.shape, version, version_text)
        sub = Context(context.origin, context.version, context.version_text)
        grouped: dict[Any, list] = {}
        if item.through is not None:
            through, parent_column, child_column = item.through
            pairs = list(
                through.objects.filter(**{f"{parent_column}__in": parents})
                .order_by(*item.order)
                .values_list(parent_column, child_column)
            )
            for parent, child in pairs:
                grouped.setdefault(parent, []).append((child, child))
            if plan.columns != ["id"]:
                raise ValueError("through children render ids only")
            render = plan.render_row
            return {
                parent: [(pk, render((pk,), sub)) for pk, _ in children]
                for parent, children in grouped.items()
            }
        if not prepared:
            manager = item.shape.model._default_manager
            prepared.append(
                PreparedQuery(
                    lambda keys: (
                        manager.filter(**{f"{item.child_column}__in": keys})
                        .order_by(*item.order)
                        .values_list(item.child_column, *plan.columns)
                    )
                )
            )
        rows = prepared[0](parents)
        rendered = plan.render([row[1:] for row in rows], sub)
        id_index = plan.index("id") + 1
        for row, data in zip(rows, rendered, strict=True):
            grouped.setdefault(row[0], []).append((row[id_index], data))
        return grouped

    return load


# --- JSON ----------------------------------------------------------------------------

LINE_SEPARATOR = "\u2028".encode()
PARAGRAPH_SEPARATOR = "\u2029".encode()


def json_bytes(data: Any) -> bytes:
    """``data`` as DRF's JSONRenderer writes it (compact, UTF-8, U+2028/9 escaped).

    Raises ``TypeError`` (orjson's JSONEncodeError) for what orjson cannot write, a lone
    surrogate for example: the caller falls back to DRF.
    """
    body = orjson.dumps(data)
    if b"\xe2\x80" in body:
        body = body.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
    return body
