"""DRF versioning scheme for /api/ and /api/<version>/ URLs."""

from rest_framework import exceptions
from rest_framework.versioning import URLPathVersioning

from patchwork_api.api.versions import LATEST_VERSION, parse_version


class APIVersioning(URLPathVersioning):
    """Sets ``request.version`` to the version string and ``request.api_version`` to a tuple.

    An unversioned request (``/api/...``) gets the latest version, and the links built
    for it stay unversioned, as Patchwork does.
    """

    def determine_version(self, request, *args, **kwargs):
        text = kwargs.get(self.version_param)
        try:
            request.api_version = parse_version(text)
        except ValueError as error:
            raise exceptions.NotFound(str(error)) from error
        return text

    def reverse(self, viewname, args=None, kwargs=None, request=None, format=None, **extra):
        kwargs = dict(kwargs or {})
        if request is not None and request.version:
            kwargs[self.version_param] = request.version
        from rest_framework.reverse import _reverse

        return _reverse(viewname, args, kwargs, request, format, **extra)


def request_version(request) -> tuple[int, int]:
    """The API version of a request, the latest when the request has none."""
    return getattr(request, "api_version", LATEST_VERSION)
