"""Filters of the patch and check lists.

``updated_since`` (patches changed at or after a date: state, delegate, archive, commit,
relation, new comments and checks) is an extra beyond Patchwork, served on the
unversioned ``/api/`` only (``Meta.unversioned_filters``): for ``/api/<version>/`` it is an
unknown parameter and ignored, as Patchwork would. So is ``search`` (full-text search of
name, commit message and diff, ranked: search/).
"""

import re

import django_filters
from django.db.models import QuerySet

from patches.models import Check, Patch
from patchwork_api.api.filters import (
    BaseFilterSet,
    DateTimeFilter,
    IdOrKeyFilter,
    InvalidFilterValue,
    MultipleExactFilter,
    SearchFilter,
    bracketed_msgid,
    parse_id,
)
from patchwork_api.validation import ASCII_DIGITS
from search.filters import FullTextSearchFilter

HEX_RE = re.compile(r"[0-9a-fA-F]+")
TRUE_VALUES = ("true", "1")
FALSE_VALUES = ("false", "0")


def is_unversioned(request) -> bool:
    """Whether a request came to ``/api/`` rather than ``/api/<version>/``."""
    return request is not None and getattr(request, "version", None) is None


def normalise_hash(value: str) -> str:
    """Patch hashes are stored as lowercase hex; anything else cannot match."""
    if not HEX_RE.fullmatch(value):
        raise InvalidFilterValue(value)
    return value.lower()


def check_state_value(value: str) -> int:
    """A check state by name (``success``) or number (``1``)."""
    by_label = {label: number for number, label in Check.State.choices}
    if value.lower() in by_label:
        return by_label[value.lower()]
    if ASCII_DIGITS.fullmatch(value) and len(value) < 4 and int(value) in Check.State.values:
        return int(value)
    raise InvalidFilterValue(value)


class StrictBooleanFilter(django_filters.Filter):
    """``true``/``false`` in any case (and 1/0); any other value is ignored (the list is
    not filtered), as Patchwork's boolean filter."""

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if value in (None, ""):
            return queryset
        text = value.strip().lower()
        if text in TRUE_VALUES:
            return queryset.filter(**{self.field_name: True})
        if text in FALSE_VALUES:
            return queryset.filter(**{self.field_name: False})
        return queryset


class PatchFilterSet(BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    series = MultipleExactFilter(field_name="series_id", transform=parse_id)
    submitter = IdOrKeyFilter(field_name="submitter", key_field="email", key_lookup="iexact")
    delegate = IdOrKeyFilter(field_name="delegate", key_field="username", key_lookup="iexact")
    state = IdOrKeyFilter(field_name="state", key_field="slug", key_lookup="iexact")
    archived = StrictBooleanFilter(field_name="archived")
    hash = MultipleExactFilter(field_name="hash", transform=normalise_hash)
    msgid = MultipleExactFilter(field_name="msgid", transform=bracketed_msgid)
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")
    q = SearchFilter(field_name="name")
    updated_since = DateTimeFilter(field_name="updated", lookup_expr="gte")
    search = FullTextSearchFilter()

    class Meta:
        model = Patch
        fields = ()
        versioned_filters = {(1, 2): ("hash", "msgid")}
        unversioned_filters = ("updated_since", "search")


class CheckFilterSet(BaseFilterSet):
    user = IdOrKeyFilter(field_name="user", key_field="username", key_lookup="iexact")
    state = MultipleExactFilter(field_name="state", transform=check_state_value)
    context = MultipleExactFilter(field_name="context")
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")

    class Meta:
        model = Check
        fields = ()
