"""API routes of the series app, mounted under /api/ and /api/<version>/."""

from patchwork_api.api.routing import slash_optional
from patchwork_api.fastread import endpoints
from patchwork_api.fastread.views import fast_view

api_urlpatterns = [
    *slash_optional("series", fast_view(endpoints.SERIES_LIST), "api-series-list"),
    *slash_optional("series/<int:pk>", fast_view(endpoints.SERIES_DETAIL), "api-series-detail"),
]
