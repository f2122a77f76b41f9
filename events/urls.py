"""API routes of the events app, mounted under /api/ and /api/<version>/."""

from events import views
from patchwork_api.api.routing import slash_optional

api_urlpatterns = [
    *slash_optional("events", views.EventList.as_view(), "api-event-list"),
]
