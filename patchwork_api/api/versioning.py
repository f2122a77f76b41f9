"""DRF versioning scheme for /api/ and /api/<version>/ URLs."""

from rest_framework import exceptions
from rest_framework.versioning import URLPathVersioning

from patchwork_api.api.versions import LATEST_VERSION, Version, parse_version


class APIVersioning(URLPathVersioning):
    """Sets ``request.version`` to the version string of the URL (None for ``/api/``) and
    ``request.api_version`` to the version as a tuple (the latest for ``/api/``).

    Links built for an unversioned request stay unversioned, as Patchwork's do.
    """

    def determine_version(self, request, *args, **kwargs):
        text = kwargs.get(self.version_param)
        try:
            request.api_version = parse_version(text)
        except ValueError as error:
            raise exceptions.NotFound(str(error)) from error
        return text


def request_version(request) -> Version:
    """The API version of a request, the latest when there is no versioned request."""
    return getattr(request, "api_version", LATEST_VERSION)
