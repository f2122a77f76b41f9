"""API routes of the patches app, mounted under /api/ and /api/<version>/."""

from patches.views import StateList
from patchwork_api.api.routing import slash_optional
from patchwork_api.fastread import endpoints
from patchwork_api.fastread.views import fast_view

api_urlpatterns = [
    *slash_optional("patches", fast_view(endpoints.PATCH_LIST), name="api-patch-list"),
    *slash_optional(
        "patches/<int:pk>", fast_view(endpoints.PATCH_DETAIL), name="api-patch-detail"
    ),
    *slash_optional(
        "patches/<int:patch_id>/checks", fast_view(endpoints.CHECK_LIST), name="api-check-list"
    ),
    *slash_optional(
        "patches/<int:patch_id>/checks/<int:check_id>",
        fast_view(endpoints.CHECK_DETAIL),
        name="api-check-detail",
    ),
    *slash_optional(
        "patches/<int:patch_id>/comments",
        fast_view(endpoints.PATCH_COMMENT_LIST),
        name="api-patch-comment-list",
    ),
    *slash_optional(
        "patches/<int:patch_id>/comments/<int:comment_id>",
        fast_view(endpoints.PATCH_COMMENT_DETAIL),
        name="api-patch-comment-detail",
    ),
    *slash_optional("states", StateList.as_view(), name="api-state-list"),
]
