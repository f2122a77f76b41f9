"""API routes of the covers app, mounted under /api/ and /api/<version>/."""

from patchwork_api.api.routing import slash_optional
from patchwork_api.fastread import endpoints
from patchwork_api.fastread.views import fast_view

api_urlpatterns = [
    *slash_optional("covers", fast_view(endpoints.COVER_LIST), "api-cover-list"),
    *slash_optional("covers/<int:pk>", fast_view(endpoints.COVER_DETAIL), "api-cover-detail"),
    *slash_optional(
        "covers/<int:cover_id>/comments",
        fast_view(endpoints.COVER_COMMENT_LIST),
        "api-cover-comment-list",
    ),
    *slash_optional(
        "covers/<int:cover_id>/comments/<int:comment_id>",
        fast_view(endpoints.COVER_COMMENT_DETAIL),
        "api-cover-comment-detail",
    ),
]
