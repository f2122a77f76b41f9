"""Download routes (outside /api), at the paths Patchwork serves them (pages: ``web``)."""

from django.urls import path, re_path

from downloads import views

# Message-IDs are matched without their angle brackets.  Anything may follow: '/' is
# common enough, and a mail with a broken Message-Id header is stored with what it had
# (``2>``), which links must still reach rather than fail to reverse.
MSGID = r"(?P<msgid>[\s\S]+?)"
LINKNAME = r"(?P<linkname>[^/]+)"

urlpatterns = [
    re_path(rf"^project/{LINKNAME}/patch/{MSGID}/mbox/$", views.patch_mbox, name="patch-mbox"),
    re_path(rf"^project/{LINKNAME}/patch/{MSGID}/raw/$", views.patch_raw, name="patch-raw"),
    re_path(rf"^project/{LINKNAME}/cover/{MSGID}/mbox/$", views.cover_mbox, name="cover-mbox"),
    path("series/<int:series_id>/mbox/", views.series_mbox, name="series-mbox"),
    path("bundle/<str:username>/<str:bundlename>/mbox/", views.bundle_mbox, name="bundle-mbox"),
    path("patch/<int:patch_id>/mbox/", views.patch_mbox_by_id, name="patch-id-mbox"),
    path("patch/<int:patch_id>/raw/", views.patch_raw_by_id, name="patch-id-raw"),
    path("patch/<int:patch_id>/", views.patch_by_id, name="patch-id-detail"),
    path("cover/<int:cover_id>/mbox/", views.cover_mbox_by_id, name="cover-id-mbox"),
    path("cover/<int:cover_id>/", views.cover_by_id, name="cover-id-detail"),
]
