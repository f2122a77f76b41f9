"""API routes of the series app, mounted under /api/ and /api/<version>/."""

from patchwork_api.api.routing import slash_optional
from series import views
from triage.views import TriageSeriesDetail

api_urlpatterns = [
    *slash_optional("series", views.SeriesList.as_view(), "api-series-list"),
    *slash_optional("series/<int:pk>", TriageSeriesDetail.as_view(), "api-series-detail"),
]
