"""URL helpers: every API route answers with and without its trailing slash."""

from django.urls import URLPattern, path


def slash_optional(route: str, view, name: str) -> list[URLPattern]:
    """Both ``route/`` (named, used for links) and ``route`` (b4 and snowpatch omit the
    slash; a POST cannot follow a redirect, so both must be served directly)."""
    route = route.rstrip("/")
    return [path(f"{route}/", view, name=name), path(route, view)]
