"""API routes of the covers app, mounted under /api/ and /api/<version>/."""

from covers import views
from patchwork_api.api.routing import slash_optional

api_urlpatterns = [
    *slash_optional("covers", views.CoverList.as_view(), "api-cover-list"),
    *slash_optional("covers/<int:pk>", views.CoverDetail.as_view(), "api-cover-detail"),
    *slash_optional(
        "covers/<int:cover_id>/comments",
        views.CoverCommentList.as_view(),
        "api-cover-comment-list",
    ),
    *slash_optional(
        "covers/<int:cover_id>/comments/<int:comment_id>",
        views.CoverCommentDetail.as_view(),
        "api-cover-comment-detail",
    ),
]
