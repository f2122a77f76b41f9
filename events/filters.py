"""Filters of the event list."""

from events.models import Event
from patchwork_api.api.filters import (
    BaseFilterSet,
    DateTimeFilter,
    IdOrKeyFilter,
    MultipleExactFilter,
    parse_id,
)


class EventFilterSet(BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    category = MultipleExactFilter(field_name="category")
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
