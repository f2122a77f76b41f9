"""The body of a delivery: the event exactly as ``GET /api/events/`` shows it (the
unversioned API's serializer), with links built on ``PATCHWORK_SITE_URL``, and its
signature."""

import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from rest_framework.renderers import JSONRenderer

from events.models import Event
from events.serializers import EventSerializer
from patchwork_api.api.versions import LATEST_VERSION


class SiteRequest(HttpRequest):
    """A stand-in for an unversioned API request to the site, for building links."""

    def __init__(self, site_url: str) -> None:
        super().__init__()
        parts = urlsplit(site_url)
        self.site_scheme = parts.scheme or "http"
        self.site_host = parts.netloc or "localhost"
        self.script_prefix = parts.path.rstrip("/")
        self.version = None
        self.api_version = LATEST_VERSION
        self.versioning_scheme = None

    def get_host(self) -> str:
        return self.site_host

    @property
    def scheme(self) -> str:
        return self.site_scheme

    def build_absolute_uri(self, location: str | None = None) -> str:
        return f"{self.site_scheme}://{self.site_host}{self.script_prefix}{location or '/'}"


def render_event(event_id: int) -> str | None:
    """The event's JSON, or None when the event no longer exists."""
    event = Event.objects.for_api().filter(pk=event_id).first()
    if event is None:
        return None
    data = EventSerializer(event, context={"request": SiteRequest(settings.SITE_URL)}).data
    return JSONRenderer().render(data).decode()


def signature(secret: str, body: bytes) -> str:
    """The ``X-Patchwork-Signature`` header: ``sha256=`` and the HMAC-SHA256 of the body
    keyed with the hook's secret, in hexadecimal."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
