"""The API index: links to every resource list."""

from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# Resource name in the index -> URL name of its list view.
INDEX_RESOURCES = {
    "projects": "api-project-list",
    "users": "api-user-list",
    "people": "api-person-list",
    "patches": "api-patch-list",
    "covers": "api-cover-list",
    "series": "api-series-list",
    "events": "api-event-list",
    "bundles": "api-bundle-list",
}
# Extras beyond Patchwork, listed by the unversioned /api/ only: the index of a pinned
# version stays exactly Patchwork's.
UNVERSIONED_EXTRAS = {
    "states": "api-state-list",
}


class IndexView(APIView):
    """Paths to the resource lists of this API version."""

    # the OPTIONS description (and name) Patchwork answers
    description = ""

    def get(self, request, *args, **kwargs):
        resources = dict(INDEX_RESOURCES)
        if request.version is None:
            resources.update(UNVERSIONED_EXTRAS)
        return Response(
            {name: reverse(url_name, request=request) for name, url_name in resources.items()}
        )
