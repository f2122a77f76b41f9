"""API routes of the projects app, mounted under /api/ and /api/<version>/."""

from patchwork_api.api.routing import slash_optional
from projects.views import ProjectDetail, ProjectList

api_urlpatterns = [
    *slash_optional("projects", ProjectList.as_view(), name="api-project-list"),
    *slash_optional("projects/<str:pk>", ProjectDetail.as_view(), name="api-project-detail"),
]
