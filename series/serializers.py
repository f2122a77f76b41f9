"""Serializers of series."""

from rest_framework import serializers

from downloads import links
from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from series.models import Series


class SeriesEmbeddedSerializer(VersionedModelSerializer):
    """A series as embedded in other resources (needs ``project`` selected)."""

    url = ApiUrlField("api-series-detail")
    web_url = serializers.SerializerMethodField()
    mbox = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = ("id", "url", "web_url", "name", "date", "version", "mbox")
        read_only_fields = fields
        versioned_fields = {(1, 1): ("web_url",)}

    def get_web_url(self, series: Series) -> str:
        return links.series_web_url(
            self.context.get("request"), series.project.linkname, series.pk
        )

    def get_mbox(self, series: Series) -> str:
        return links.series_mbox_url(self.context.get("request"), series.pk)
