"""Download views: patch/cover/series/bundle mbox files, raw diffs, web pages, redirects."""

from django.http import Http404


def _not_built_yet(request, *args, **kwargs):
    raise Http404("downloads are being built")


patch_mbox = patch_raw = patch_detail = cover_mbox = cover_detail = _not_built_yet
project_patch_list = series_mbox = bundle_mbox = bundle_detail = _not_built_yet
patch_mbox_by_id = patch_raw_by_id = patch_by_id = cover_mbox_by_id = cover_by_id = _not_built_yet
