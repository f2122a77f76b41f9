"""Filters of the bundle list."""

from bundles.models import Bundle
from patches.filters import StrictBooleanFilter
from patchwork_api.api.filters import BaseFilterSet, IdOrKeyFilter, SearchFilter


class BundleFilterSet(BaseFilterSet):
    project = IdOrKeyFilter(field_name="project", key_field="linkname", key_lookup="iexact")
    owner = IdOrKeyFilter(field_name="owner", key_field="username", key_lookup="iexact")
    public = StrictBooleanFilter(field_name="public")
    q = SearchFilter(field_name="name")

    class Meta:
        model = Bundle
        fields = ()
