"""API routes of the events app, mounted under /api/ and /api/<version>/."""

from patchwork_api.api.routing import slash_optional
from patchwork_api.fastread import endpoints
from patchwork_api.fastread.views import fast_view

api_urlpatterns = [
    *slash_optional("events", fast_view(endpoints.EVENT_LIST), "api-event-list"),
]
