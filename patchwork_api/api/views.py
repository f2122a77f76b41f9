"""The API index: links to every resource list."""

from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

INDEX_RESOURCES = (
    "projects",
    "users",
    "people",
    "patches",
    "covers",
    "series",
    "events",
    "bundles",
)


class IndexView(APIView):
    """Paths to the resource lists of this API version."""

    def get(self, request, *args, **kwargs):
        return Response(
            {name: reverse(f"api-{name}-list", request=request) for name in INDEX_RESOURCES}
        )
