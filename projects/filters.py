"""Filters and ordering of the project list."""

from django.db.models import QuerySet

from patchwork_api.api.filters import AnyFieldSearchFilter, BaseFilterSet, OrderFilter
from projects.models import Project


class ProjectFilterSet(BaseFilterSet):
    q = AnyFieldSearchFilter(search_fields=("linkname", "name", "listid", "listemail"))

    class Meta:
        model = Project
        fields = ()


class AliasOrderFilter(OrderFilter):
    """``?order=`` by API field names that differ from the columns behind them
    (the view's ``ordering_aliases``: ``{"link_name": "linkname"}``)."""

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        aliases = getattr(view, "ordering_aliases", {})
        columns = []
        for term in ordering:
            descending = term.startswith("-")
            name = term.lstrip("-")
            columns.append(f"{'-' if descending else ''}{aliases.get(name, name)}")
        return queryset.order_by(*columns)
