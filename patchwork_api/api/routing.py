"""URL helpers: every API route answers with and without its trailing slash; routes that
exist only in some API versions."""

from django.http import Http404, HttpResponse
from django.urls import URLPattern, path

from patchwork_api.api.errors import not_found
from patchwork_api.api.versions import Version, parse_version


def slash_optional(route: str, view, name: str) -> list[URLPattern]:
    """Both ``route/`` (named, used for links) and ``route`` (b4 and snowpatch omit the
    slash; a POST cannot follow a redirect, so both must be served directly)."""
    route = route.rstrip("/")
    return [path(f"{route}/", view, name=name), path(route, view)]


class SinceVersionMixin:
    """A view routed from API ``first_version`` on (and, with ``unversioned_only``, only
    at ``/api/``). Other versions answer as a URL that is not routed at all: Django's
    HTML 404 page, as Patchwork, whose older versions have no such route."""

    first_version: Version = (1, 0)
    unversioned_only = False

    def dispatch(self, request, *args, **kwargs) -> HttpResponse:
        if not self.is_routed(kwargs.get("version")):
            return not_found(request, Http404())
        return super().dispatch(request, *args, **kwargs)

    def is_routed(self, version_text: str | None) -> bool:
        if self.unversioned_only:
            return version_text is None
        return parse_version(version_text) >= self.first_version
