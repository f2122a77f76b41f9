"""API routes of the bundles app, mounted under /api/ and /api/<version>/."""

from bundles import views
from patchwork_api.api.routing import slash_optional

api_urlpatterns = [
    *slash_optional("bundles", views.BundleList.as_view(), "api-bundle-list"),
    *slash_optional("bundles/<int:pk>", views.BundleDetail.as_view(), "api-bundle-detail"),
]
