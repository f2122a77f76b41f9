"""Filters of the patch, check and patch-comment lists.

``updated_since`` is an extra beyond Patchwork: it is served on the unversioned ``/api/``
only, so that clients pinned to ``/api/1.x/`` see exactly Patchwork's behaviour (there
the parameter is unknown and so ignored).
"""

import re

import django_filters
from django.db.models import Q, QuerySet

from downloads.links import strip_brackets
from patches.models import Check, Patch
from patchwork_api.api.filters import (
    BaseFilterSet,
    DateTimeFilter,
    IdOrKeyFilter,
    InvalidFilterValue,
    MultipleExactFilter,
)

HEX_RE = re.compile(r"[0-9a-fA-F]+")
TRUE_VALUES = ("true", "1", "yes", "on")
FALSE_VALUES = ("false", "0", "no", "off")


def is_unversioned(request) -> bool:
    """Whether a request came to ``/api/`` rather than ``/api/<version>/``."""
    return request is not None and getattr(request, "version", None) is None


class UnversionedExtrasMixin:
    """Drops ``Meta.unversioned_extras`` filters from versioned requests."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if not is_unversioned(request):
            for name in getattr(self.Meta, "unversioned_extras", ()):
                self.filters.pop(name, None)


def normalise_hash(value: str) -> str:
    """Patch hashes are stored as lowercase hex; anything else cannot match."""
    if not HEX_RE.fullmatch(value):
        raise InvalidFilterValue(value)
    return value.lower()


def msgid_with_brackets(value: str) -> str:
    """``abc@example.org`` (or ``<abc@example.org>``) -> the stored ``<abc@example.org>``."""
    return f"<{strip_brackets(value)}>"


def series_id(value: str) -> int:
    if not value.isdigit():
        raise InvalidFilterValue(value)
    return int(value)


def check_state_value(value: str) -> int:
    """A check state by name (``success``) or number (``1``)."""
    by_label = {label: number for number, label in Check.State.choices}
    if value.lower() in by_label:
        return by_label[value.lower()]
    if value.isdigit() and int(value) in Check.State.values:
        return int(value)
    raise InvalidFilterValue(value)


class StrictBooleanFilter(django_filters.Filter):
    """``true``/``false`` in any case (and 1/0); any other value matches nothing."""

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if value in (None, ""):
            return queryset
        text = value.strip().lower()
        if text in TRUE_VALUES:
            return queryset.filter(**{self.field_name: True})
        if text in FALSE_VALUES:
            return queryset.filter(**{self.field_name: False})
        return queryset.none()


class SearchFilter(django_filters.CharFilter):
    """``q``: a case-insensitive substring of any of ``search_fields``."""

    def __init__(self, *args, search_fields: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.search_fields = search_fields

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if not value or not value.strip():
            return queryset
        condition = Q()
        for field_name in self.search_fields:
            condition |= Q(**{f"{field_name}__icontains": value.strip()})
        return queryset.filter(condition)


class PatchFilterSet(UnversionedExtrasMixin, BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    series = MultipleExactFilter(field_name="series_id", transform=series_id)
    submitter = IdOrKeyFilter(field_name="submitter", key_field="email", key_lookup="iexact")
    delegate = IdOrKeyFilter(field_name="delegate", key_field="username", key_lookup="iexact")
    state = IdOrKeyFilter(field_name="state", key_field="slug", key_lookup="iexact")
    archived = StrictBooleanFilter(field_name="archived")
    hash = MultipleExactFilter(field_name="hash", transform=normalise_hash)
    msgid = MultipleExactFilter(field_name="msgid", transform=msgid_with_brackets)
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")
    q = SearchFilter(search_fields=("name",))
    updated_since = DateTimeFilter(field_name="updated", lookup_expr="gte")

    class Meta:
        model = Patch
        fields = ()
        versioned_filters = {(1, 2): ("hash", "msgid")}
        unversioned_extras = ("updated_since",)


class CheckFilterSet(BaseFilterSet):
    user = IdOrKeyFilter(field_name="user", key_field="username", key_lookup="iexact")
    state = MultipleExactFilter(field_name="state", transform=check_state_value)
    context = MultipleExactFilter(field_name="context")
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")

    class Meta:
        model = Check
        fields = ()
