"""API routes of the triage extensions, served on the unversioned ``/api/`` only (the
views answer 404 under ``/api/<version>/``)."""

from patchwork_api.api.routing import slash_optional
from triage import views

api_urlpatterns = [
    *slash_optional(
        "patches/<int:patch_id>/checks/summary",
        views.PatchChecksSummary.as_view(),
        "api-patch-checks-summary",
    ),
    *slash_optional(
        "series/<int:pk>/checks", views.SeriesCheckCreate.as_view(), "api-series-check-list"
    ),
    *slash_optional(
        "series/<int:pk>/checks/summary",
        views.SeriesChecksSummary.as_view(),
        "api-series-checks-summary",
    ),
]
