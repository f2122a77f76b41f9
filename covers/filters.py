"""Filters of the cover letter list."""

from covers.models import Cover
from patchwork_api.api.filters import (
    BaseFilterSet,
    DateTimeFilter,
    IdOrKeyFilter,
    MultipleExactFilter,
    SearchFilter,
    bracketed_msgid,
    parse_id,
)


class CoverFilterSet(BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    series = MultipleExactFilter(field_name="series__id", transform=parse_id)
    submitter = IdOrKeyFilter(field_name="submitter", key_field="email", key_lookup="iexact")
    msgid = MultipleExactFilter(field_name="msgid", transform=bracketed_msgid)
    q = SearchFilter(field_name="name")
    since = DateTimeFilter(field_name="date", lookup_expr="gte")
    before = DateTimeFilter(field_name="date", lookup_expr="lt")

    class Meta:
        model = Cover
        # ``msgid`` in every version, as Patchwork (only patches' is 1.2+)
        fields = ()
