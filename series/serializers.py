"""Serializers of series."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from covers.serializers import CoverEmbeddedSerializer
from downloads import links
from patches.serializers import PatchEmbeddedSerializer
from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from people.serializers import PersonEmbeddedSerializer
from projects.serializers import ProjectEmbeddedSerializer
from series.models import Series


class SeriesEmbeddedSerializer(VersionedModelSerializer):
    """A series as embedded in other resources (needs ``project`` selected)."""

    url = ApiUrlField("api-series-detail")
    web_url = serializers.SerializerMethodField()
    mbox = serializers.SerializerMethodField()

    class Meta:
        model = Series
        # Patchwork's key order
        fields = ("id", "url", "web_url", "date", "name", "version", "mbox")
        read_only_fields = fields
        versioned_fields = {(1, 1): ("web_url",)}

    def get_web_url(self, series: Series) -> str:
        return links.series_web_url(
            self.context.get("request"), series.project.linkname, series.pk
        )

    def get_mbox(self, series: Series) -> str:
        return links.series_mbox_url(self.context.get("request"), series.pk)


class SeriesUrlListField(serializers.Field):
    """A list of series as their API URLs (series dependencies, API 1.4)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, series_list) -> list[str]:
        request = self.context.get("request")
        return [
            reverse("api-series-detail", kwargs={"pk": series.pk}, request=request)
            for series in series_list
        ]


class SeriesSerializer(SeriesEmbeddedSerializer):
    """A series with its cover letter (or null) and its patches in order.

    Needs ``SeriesQuerySet.for_api()``, which prefetches ``api_patches`` and, for API
    1.4, ``api_dependencies`` and ``api_dependents``.
    """

    project = ProjectEmbeddedSerializer(read_only=True)
    submitter = PersonEmbeddedSerializer(read_only=True)
    received_all = serializers.BooleanField(read_only=True)
    cover_letter = CoverEmbeddedSerializer(read_only=True)
    patches = PatchEmbeddedSerializer(source="api_patches", many=True, read_only=True)
    dependencies = SeriesUrlListField(source="api_dependencies")
    dependents = SeriesUrlListField(source="api_dependents")

    class Meta:
        model = Series
        fields = (
            "id",
            "url",
            "web_url",
            "project",
            "name",
            "date",
            "submitter",
            "version",
            "total",
            "received_total",
            "received_all",
            "mbox",
            "cover_letter",
            "patches",
            "dependencies",
            "dependents",
        )
        read_only_fields = fields
        versioned_fields = {(1, 1): ("web_url",), (1, 4): ("dependencies", "dependents")}

    def to_representation(self, series: Series) -> dict:
        data = super().to_representation(series)
        # As Patchwork: a series shows its dependencies only when its project shows them
        # (decided per series, also for the later series of a list).
        if not series.project.show_dependencies:
            data.pop("dependencies", None)
            data.pop("dependents", None)
        return data
