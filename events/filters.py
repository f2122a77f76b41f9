"""Filters of the event list."""

from events.models import Event
from patchwork_api.api.filters import (
    BaseFilterSet,
    DateTimeFilter,
    IdOrKeyFilter,
    MultipleExactFilter,
    parse_id,
)


class LastValueExactFilter(MultipleExactFilter):
    """One value, the last of a repeated parameter, in every version: Patchwork's event
    ``category`` filter reads a single value."""

    def values_for_request(self, values: list[str]) -> list[str]:
        return values[-1:]


class EventFilterSet(BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    category = LastValueExactFilter(field_name="category")
    series = MultipleExactFilter(field_name="series_id", transform=parse_id)
    patch = MultipleExactFilter(field_name="patch_id", transform=parse_id)
    cover = MultipleExactFilter(field_name="cover_id", transform=parse_id)
    actor = IdOrKeyFilter(field_name="actor", key_field="username", key_lookup="iexact")
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ()
        versioned_filters = {(1, 2): ("actor",)}
