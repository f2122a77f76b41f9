"""The list filters of the compiled read path: the views' own FilterSets and ordering
filters, without rebuilding a FilterSet and a form per request.

django-filter deep-copies every filter and builds a form class and a form (deep-copying
its fields again) for each request; that cost more than rendering the page. Here each
thread keeps one FilterSet per (class, API version), whose filters are applied as its
form would clean and apply them: each field's widget reads the query string, the field
cleans the value, and a value the form would refuse gives an empty list (FilterBackend).
"""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict

from patchwork_api.api.filters import FilterBackend
from patchwork_api.api.versions import Version

_local = threading.local()


class VersionOnly:
    """What the filters read of a request: its API version."""

    def __init__(self, version_text: str | None, version: Version):
        self.version = version_text
        self.api_version = version


def filterset_for(filterset_class, queryset: QuerySet, version_text: str | None, version):
    cache = getattr(_local, "filtersets", None)
    if cache is None:
        cache = _local.filtersets = {}
    key = (filterset_class, version_text)
    filterset = cache.get(key)
    if filterset is None:
        filterset = filterset_class(
            data=None, queryset=queryset, request=VersionOnly(version_text, version)
        )
        cache[key] = filterset
    return filterset


def apply_filterset(
    filterset_class, queryset: QuerySet, data: QueryDict, version_text: str | None, version
) -> QuerySet:
    """``FilterBackend.filter_queryset`` for ``data`` (an invalid value: no rows)."""
    filterset = filterset_for(filterset_class, queryset, version_text, version)
    cleaned = {}
    for name, filter_ in filterset.filters.items():
        field = filter_.field
        try:
            cleaned[name] = field.clean(field.widget.value_from_datadict(data, {}, name))
        except ValidationError:
            return queryset.none()
    for name, value in cleaned.items():
        queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def filter_rows(view, queryset: QuerySet, version_text: str | None, version) -> QuerySet:
    """The view's ``filter_queryset``: its FilterSet (as above), then its other backends."""
    request = view.request
    for backend in view.filter_backends:
        if issubclass(backend, FilterBackend):
            filterset_class = getattr(view, "filterset_class", None)
            if filterset_class is not None:
                queryset = apply_filterset(
                    filterset_class, queryset, request.query_params, version_text, version
                )
        else:
            queryset = backend().filter_queryset(request, queryset, view)
    return queryset
