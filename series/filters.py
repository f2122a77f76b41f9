"""Filters of the series list, with the ``updated_since`` extension.

Like the patch list's, ``updated_since`` is served on the unversioned ``/api/`` only
(``Meta.unversioned_filters``): ``/api/<version>/`` ignores it, as Patchwork would.
"""

from django.db.models import Q, QuerySet

from patches.models import Patch
from patchwork_api.api.filters import (
    BaseFilterSet,
    DateTimeFilter,
    IdOrKeyFilter,
    InvalidFilterValue,
    SearchFilter,
    parse_filter_datetime,
)
from series.models import Series


class UpdatedSinceFilter(DateTimeFilter):
    """``updated_since`` (an extension of this server, not in Patchwork's API): series
    changed at or after a date. A series counts as changed when it is (new patches,
    cover letter, comments on it) or when one of its patches is (state, delegate,
    archive, comments, checks), so a poller sees every series worth looking at again."""

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if not value:
            return queryset
        try:
            moment = parse_filter_datetime(value)
        except InvalidFilterValue:
            return queryset.none()
        changed_patches = Patch.objects.filter(updated__gte=moment, series__isnull=False)
        return queryset.filter(
            Q(updated__gte=moment) | Q(pk__in=changed_patches.values("series_id"))
        )


class SeriesFilterSet(BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    submitter = IdOrKeyFilter(field_name="submitter", key_field="email", key_lookup="iexact")
    q = SearchFilter(field_name="name")
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")
    updated_since = UpdatedSinceFilter(field_name="updated")

    class Meta:
        model = Series
        fields = ()
        unversioned_filters = ("updated_since",)
