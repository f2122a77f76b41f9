"""Routes of the web pages, at Patchwork's paths (``/series/<id>/`` is an extra).

Included after the download routes: ``/project/<p>/patch/<msgid>/mbox/`` must reach the
download before the page pattern, whose Message-ID may hold slashes, could take it.
"""

from django.urls import path, re_path

from downloads.urls import LINKNAME, MSGID
from web.views import auth, bundles, lists, projects, submissions, users

urlpatterns = [
    path("", projects.project_list, name="project-list"),
    path("project/<str:linkname>/", projects.project_detail, name="project-detail"),
    path("project/<str:linkname>/list/", lists.project_patch_list, name="project-patch-list"),
    path("project/<str:linkname>/bundles/", bundles.bundle_list, name="project-bundles"),
    path("project/<str:linkname>/pwclientrc/", projects.pwclientrc, name="pwclientrc"),
    re_path(
        rf"^project/{LINKNAME}/patch/{MSGID}/$", submissions.patch_detail, name="patch-detail"
    ),
    re_path(
        rf"^project/{LINKNAME}/cover/{MSGID}/$", submissions.cover_detail, name="cover-detail"
    ),
    path("comment/<int:comment_id>/", submissions.comment_redirect, name="comment-redirect"),
    path("series/<int:series_id>/", submissions.series_detail, name="series-detail"),
    path("bundle/<str:username>/<str:bundlename>/", bundles.bundle_detail, name="bundle-detail"),
    # The signed-in user's pages.
    path("user/", users.profile, name="user-profile"),
    path("user/todo/", lists.todo_lists, name="user-todos"),
    path("user/todo/<str:linkname>/", lists.todo_list, name="user-todo"),
    path("user/bundles/", bundles.bundle_list, name="user-bundles"),
    path("user/generate-token/", users.generate_token, name="generate_token"),
    path("user/link/", users.link, name="user-link"),
    path("user/link/<str:key>/", users.link_confirm, name="user-link-confirm"),
    path("user/unlink/<int:person_id>/", users.unlink, name="user-unlink"),
    # Accounts (Django's views, Patchwork's paths and names).
    path("user/login/", auth.LoginView.as_view(), name="auth_login"),
    path("user/logout/", auth.LogoutView.as_view(), name="auth_logout"),
    path("user/password-change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "user/password-change/done/",
        auth.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("user/password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "user/password-reset/mail-sent/",
        auth.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "user/password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
