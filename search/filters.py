"""The ``search`` filter of the patch list (unversioned ``/api/`` only)."""

import django_filters
from django import forms
from django.db.models import QuerySet

from search.query import full_text_search


class FullTextSearchFilter(django_filters.Filter):
    """``search``: every word in the patch's name, commit message or diff (full-text)."""

    field_class = forms.CharField

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if not value:
            return queryset
        # ranking costs: not when the client orders the list itself
        data = getattr(self.parent, "data", None) or {}
        return full_text_search(queryset, value, rank=not data.get("order"))


def ranked(queryset: QuerySet, query_params) -> QuerySet:
    """Best matches first (then by id) when ``search`` was given without ``order``."""
    query = queryset.query
    searched = "search_rank" in query.annotations or "search_rank" in query.extra
    if not searched or query_params.get("order"):
        return queryset
    return queryset.order_by("-search_rank", "id")
