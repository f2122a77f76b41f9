"""API views of series."""

from rest_framework import generics

from patchwork_api.api.versioning import request_version
from series.filters import SeriesFilterSet
from series.models import Series
from series.serializers import SeriesSerializer

# The API version that shows series dependencies.
DEPENDENCIES_VERSION = (1, 4)


class SeriesMixin:
    serializer_class = SeriesSerializer

    def get_queryset(self):
        with_dependencies = request_version(self.request) >= DEPENDENCIES_VERSION
        return Series.objects.for_api(with_dependencies=with_dependencies)


class SeriesList(SeriesMixin, generics.ListAPIView):
    """List series."""

    filterset_class = SeriesFilterSet
    ordering_fields = ("id", "name", "date", "submitter")
    ordering = ("id",)


class SeriesDetail(SeriesMixin, generics.RetrieveAPIView):
    """Show a series."""
