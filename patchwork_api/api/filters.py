"""Filtering shared by every list endpoint.

Patchwork's rules, which clients depend on:
- a related object is given by id or by its natural key (project linkname, person
  e-mail, username, state slug); from API 1.1 a filter may be repeated
  (``state=new&state=under-review``), in 1.0 the last value counts;
- an invalid value gives an empty list, never a 400; unknown parameters are ignored;
- filters added in a later version are ignored by older versions
  (``Meta.versioned_filters = {(1, 2): ("hash", "msgid")}``);
- ``since``/``before`` take ISO 8601 dates with ``T`` or a space, with or without
  a time zone (converted to server time);
- ``order`` orders by one of the view's ``ordering_fields`` (``-`` for descending).
"""

import datetime
import re
import zoneinfo

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from patchwork_api import validation
from patchwork_api.api.versioning import request_version
from patchwork_api.fastread.prepared import PreparedLookup
from patchwork_api.limits import MAX_FILTER_VALUE_LENGTH

DATETIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})"  # date
    r"(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?"  # optional time
    r"(?:(Z)|([+ -])(\d{2}:?\d{2}))?"  # optional zone: Z or +hh:mm (+ may arrive as a space)
)


class InvalidFilterValue(ValueError):
    """A filter value that can match nothing (the list is empty, not an error)."""


class MultipleValuesInput(forms.TextInput):
    """A text box in the browsable API's Filters dialog that reads every value of a
    repeated query parameter (``?state=new&state=rfc``)."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist is not None else data.get(name)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            value = value[0] if len(value) == 1 else ",".join(value)
        return super().format_value(value)


class MultipleValuesField(forms.Field):
    """Every value given for a query parameter, as a list of stripped strings."""

    widget = MultipleValuesInput

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return validation.filter_values([item.strip() for item in value if item and item.strip()])

    def validate(self, value: list[str]) -> None:
        # PostgreSQL refuses NUL characters in text (a 500), and a value longer than any
        # stored key only costs time: such a value can match nothing, the list is empty.
        super().validate(value)
        for item in value:
            try:
                validation.check_text(item, max_length=MAX_FILTER_VALUE_LENGTH)
            except validation.InvalidValue as error:
                raise forms.ValidationError(str(error), code="invalid") from None


class VersionAwareFilterMixin:
    """Every value of a repeated parameter counts, in every version: Patchwork's 1.0
    applies them all too (``?state=a&state=b`` lists both states), whatever its
    documentation says."""

    def values_for_request(self, values: list[str]) -> list[str]:
        return values


class IdOrKeyFilter(VersionAwareFilterMixin, django_filters.Filter):
    """Matches a related object by id (a number) or by a natural key field.

    ``key_field`` is the related model's field compared with non-numeric values
    (``linkname``, ``email``, ``username``, ``slug``), ``key_lookup`` its lookup
    (``iexact`` for e-mail addresses).
    """

    field_class = MultipleValuesField

    def __init__(self, *args, key_field: str, key_lookup: str = "exact", **kwargs):
        super().__init__(*args, **kwargs)
        self.key_field = key_field
        self.key_lookup = key_lookup

    def filter(self, queryset: QuerySet, value: list[str]) -> QuerySet:
        values = self.values_for_request(value or [])
        if not values:
            return queryset
        # Ids no database can hold match nothing.
        ids = [int(item) for item in values if validation.is_id(item)]
        keys = [item for item in values if not validation.ASCII_DIGITS.fullmatch(item)]
        if keys:
            ids += self.keyed_ids(queryset, keys)
        condition = Q(**{f"{self.field_name}__pk__in": ids})
        return (
            queryset.filter(condition).distinct() if self.distinct else queryset.filter(condition)
        )

    def keyed_ids(self, queryset: QuerySet, keys: list[str]) -> list[int]:
        """The ids of the related rows the natural keys name, looked up first (as
        Patchwork's filter fields do): the list query then compares the foreign key with
        constants, which lets PostgreSQL read a page from an index in the list's order.
        Joined and filtered on the key instead, it walked the primary key through every
        archived patch (62 ms for the first page at 100k patches, 0.3 ms this way; see
        bench/)."""
        related_model = queryset.model._meta.get_field(self.field_name).related_model
        if len(keys) == 1:
            # the usual request (``?project=linux``): SQL compiled once per filter
            return [pk for (pk,) in self.one_key_lookup(related_model)(keys[0])]
        condition = Q()
        for key in keys:
            condition |= Q(**{f"{self.key_field}__{self.key_lookup}": key})
        return list(related_model._default_manager.filter(condition).values_list("pk", flat=True))

    def one_key_lookup(self, related_model) -> PreparedLookup:
        """The ids of the related rows one natural key names, as a prepared lookup."""
        key = (related_model, self.key_field, self.key_lookup)
        lookup = _one_key_lookups.get(key)
        if lookup is None:
            field = f"{self.key_field}__{self.key_lookup}"
            lookup = _one_key_lookups[key] = PreparedLookup(
                lambda value: related_model._default_manager.filter(**{field: value}).values_list(
                    "pk"
                ),
                arity=1,
            )
        return lookup


_one_key_lookups: dict[tuple, PreparedLookup] = {}


class MultipleExactFilter(VersionAwareFilterMixin, django_filters.Filter):
    """Matches a plain field against one or more exact values (``hash``, ``msgid``...)."""

    field_class = MultipleValuesField

    def __init__(self, *args, transform=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transform = transform or (lambda value: value)

    def filter(self, queryset: QuerySet, value: list[str]) -> QuerySet:
        values = self.values_for_request(value or [])
        if not values:
            return queryset
        try:
            wanted = [self.transform(item) for item in values]
        except InvalidFilterValue:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}__in": wanted})


def parse_id(text: str) -> int:
    """A numeric id filter value; anything else can match nothing."""
    try:
        return validation.parse_id(text)
    except validation.InvalidValue:
        raise InvalidFilterValue(text) from None


def bracketed_msgid(text: str) -> str:
    """``msgid`` filter values come without their angle brackets; stored ones have them.
    A value given with its brackets matches nothing, as in Patchwork."""
    return f"<{text.strip()}>"


class SearchFilter(django_filters.Filter):
    """``q``: every whitespace-separated term must occur in the field (any case), as
    Patchwork's search does."""

    field_class = forms.CharField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "icontains")
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        for term in validation.search_words(value or ""):
            queryset = queryset.filter(**{f"{self.field_name}__{self.lookup_expr}": term})
        return queryset


class AnyFieldSearchFilter(SearchFilter):
    """``q`` over several fields: every term must occur in one of ``search_fields``."""

    def __init__(self, *args, search_fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("field_name", search_fields[0])
        super().__init__(*args, **kwargs)
        self.search_fields = search_fields

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        for term in validation.search_words(value or ""):
            condition = Q()
            for field_name in self.search_fields:
                condition |= Q(**{f"{field_name}__{self.lookup_expr}": term})
            queryset = queryset.filter(condition)
        return queryset


def parse_filter_datetime(text: str) -> datetime.datetime:
    """An ISO 8601 date or date-time (``T`` or a space between them), as naive server time.

    A ``+hh:mm`` offset whose ``+`` arrived unencoded in a query string (and so became a
    space) is understood too.
    """
    match = DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise InvalidFilterValue(text)
    date_part, time_part, zulu, sign, offset = match.groups()
    zone = "+00:00" if zulu else f"{'+' if sign == ' ' else sign}{offset}" if sign else ""
    iso = f"{date_part}T{time_part or '00:00:00'}{zone}"
    try:
        value = datetime.datetime.fromisoformat(iso)
        if value.tzinfo is not None:
            server_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            value = value.astimezone(server_zone).replace(tzinfo=None)
    except (ValueError, OverflowError) as error:
        # OverflowError: an offset that moves the date before year 1 or after 9999
        raise InvalidFilterValue(text) from error
    return value


class DateTimeFilter(django_filters.Filter):
    """``since`` (inclusive) / ``before`` (exclusive) on a date column; bad dates match
    nothing."""

    field_class = forms.CharField

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if not value:
            return queryset
        try:
            moment = parse_filter_datetime(value)
        except InvalidFilterValue:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}__{self.lookup_expr}": moment})


class BaseFilterSet(django_filters.FilterSet):
    """A FilterSet that drops the filters the request's API version does not know.

    ``Meta.unversioned_filters`` are extras beyond Patchwork (``updated_since``) served on
    the unversioned ``/api/`` only: for ``/api/<version>/`` they are unknown parameters,
    ignored, so pinned clients see exactly Patchwork's behaviour.
    """

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        version = request_version(request)
        versioned = getattr(self.Meta, "versioned_filters", {})
        for added_in, names in versioned.items():
            if version < added_in:
                for name in names:
                    self.filters.pop(name, None)
        if getattr(request, "version", None) is not None:
            for name in getattr(self.Meta, "unversioned_filters", ()):
                self.filters.pop(name, None)


class FilterBackend(DjangoFilterBackend):
    """Invalid filter values give an empty list (Patchwork clients rely on it)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            return queryset.none()
        return filterset.qs


class OrderFilter(OrderingFilter):
    """``?order=field`` / ``?order=-field``, restricted to the view's ordering_fields;
    unknown fields are ignored. The primary key breaks ties so pages are stable.

    A view's ``ordering_expressions`` maps an ordering name that is no column to a
    function ``(descending) -> expression`` that orders by it.
    """

    ordering_param = "order"

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(term.lstrip("-") in ("id", "pk") for term in ordering):
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return ordering

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        expressions = getattr(view, "ordering_expressions", {})
        return queryset.order_by(
            *(
                expressions[term.lstrip("-")](term.startswith("-"))
                if term.lstrip("-") in expressions
                else term
                for term in ordering
            )
        )
