"""The filter structs of ``patch_list`` and ``check_list``, turned into querysets.

A filter is a struct whose keys are ``FIELD`` or ``FIELD__LOOKUP`` (a Django field
lookup from ``LOOKUP_TYPES``) plus an optional ``max_count``: positive keeps the first
N results, negative the last N, zero all. As in Patchwork, an unknown field or lookup
gives an empty list rather than a fault, and so does a value that cannot match the
field (``{"id": "abc"}``), following the REST API's rule for invalid filter values.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError, ValidationError
from django.db import DataError
from django.db.models import Model, Q, QuerySet

from patchwork_api import limits
from patchwork_api.limits import MAX_ID
from patchwork_api.validation import is_id
from xmlrpc_api.errors import XmlRpcError

LOOKUP_TYPES = frozenset(
    {
        "iexact",
        "contains",
        "icontains",
        "gt",
        "gte",
        "lt",
        "in",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "range",
        "year",
        "month",
        "day",
        "isnull",
    }
)
# Errors Django raises for a value that does not fit the field or lookup.
INVALID_VALUE_ERRORS = (ValueError, TypeError, ValidationError, FieldError, DataError)

# Builds the condition for one filter key from its lookup (None: equality) and value.
Condition = Callable[[str | None, Any], Q]
ModelType = TypeVar("ModelType", bound=Model)


class NoMatch(Exception):
    """The filter names a field or lookup that exists nowhere: the answer is empty."""


def field(orm_path: str) -> Condition:
    """A condition comparing a model field (``orm_path``) with the value."""

    def condition(lookup: str | None, value: Any) -> Q:
        return Q(**{_lookup_path(orm_path, lookup): value})

    return condition


def _lookup_path(orm_path: str, lookup: str | None) -> str:
    return f"{orm_path}__{lookup}" if lookup else orm_path


def msgid_field(lookup: str | None, value: Any) -> Q:
    """Message-IDs are stored with their angle brackets; an exact match accepts either."""
    if lookup is None and isinstance(value, str) and not value.startswith("<"):
        return Q(msgid__in=[value, f"<{value}>"])
    return Q(**{_lookup_path("msgid", lookup): value})


def delegate_person(lookup: str | None, value: Any) -> Q:
    """``delegate_id`` is a person id: pwclient resolves ``-d NAME`` with ``person_list``
    and passes the ids it found, so a patch matches when its delegate is the account
    linked to that person."""
    users = get_user_model().objects.filter(**{_lookup_path("people__id", lookup): value})
    return Q(delegate__in=users)


def check_user(lookup: str | None, value: Any) -> Q:
    """A check's ``user``: a user id or a username (pwclient's ``check-list -u``);
    with a lookup, the username is compared (``user__icontains``)."""
    if lookup is not None:
        return Q(**{f"user__username__{lookup}": value})
    if is_id(value):
        return Q(user_id=int(value))
    return Q(user__username=value)


def parse_filter(filters: Any, conditions: Mapping[str, Condition]) -> tuple[Q, int]:
    """The condition and ``max_count`` of a filter struct.

    Raises NoMatch for an unknown field or lookup, XmlRpcError when ``filters`` is not
    a struct or ``max_count`` not an integer.
    """
    if filters is None:
        filters = {}
    if not isinstance(filters, Mapping):
        raise XmlRpcError("the filter must be a struct")
    query = Q()
    max_count = 0
    for key, value in filters.items():
        name, _separator, lookup = str(key).partition("__")
        if name == "max_count":
            max_count = integer_argument(value, "max_count")
            continue
        if name not in conditions or (lookup and lookup not in LOOKUP_TYPES):
            raise NoMatch(key)
        query &= conditions[name](lookup or None, value)
    return query, max_count


def integer_argument(value: Any, name: str) -> int:
    """An integer argument (a number or its text); beyond what any query can use it is
    clamped to ``MAX_ID`` (a bigger LIMIT overflowed the database driver)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise XmlRpcError(f"{name} must be an integer, got {value!r}") from None
    return max(-MAX_ID, min(MAX_ID, number))


def limit(queryset: QuerySet[ModelType], max_count: int) -> list[ModelType]:
    """The first ``max_count`` rows, the last ``-max_count`` rows when negative, or all.

    The last N are read with the ordering reversed, so no count query is needed. Never
    more than ``MAX_XMLRPC_RESULTS`` rows: an anonymous ``patch_list`` of a big project
    read and marshalled every patch (38,000 patches: more than 30 s).
    """
    cap = limits.MAX_XMLRPC_RESULTS
    if max_count > 0:
        return list(queryset[: min(max_count, cap)])
    if max_count < 0:
        return list(reversed(queryset.reverse()[: min(-max_count, cap)]))
    return list(queryset[:cap])


def filtered(
    queryset: QuerySet[ModelType], filters: Any, conditions: Mapping[str, Condition]
) -> list[ModelType]:
    """The rows of ``queryset`` that a filter struct selects, limited by its max_count."""
    try:
        query, max_count = parse_filter(filters, conditions)
        return limit(queryset.filter(query), max_count)
    except NoMatch:
        return []
    except INVALID_VALUE_ERRORS:
        return []


def serialized(rows: Iterable[ModelType], serializer: Callable[[ModelType], dict]) -> list[dict]:
    return [serializer(row) for row in rows]
