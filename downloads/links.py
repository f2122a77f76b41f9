"""Absolute URLs of the web pages and downloads that API resources link to.

Serializers call these so that every resource builds its ``web_url``, ``mbox`` and
``list_archive_url`` the same way.
"""

from django.urls import reverse

from patchwork_api.api.urltemplates import build_template
from patchwork_api.validation import fill_url_format


def strip_brackets(msgid: str) -> str:
    """``<abc@example.org>`` -> ``abc@example.org`` (URLs and filters use the bare form)."""
    return msgid[1:-1] if msgid.startswith("<") and msgid.endswith(">") else msgid


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _link(request, view_name: str, **url_kwargs) -> str:
    """The absolute URL of a route; within a request each route is reversed once
    (lists build several links per row) and then filled in."""
    if request is None:
        return reverse(view_name, kwargs=url_kwargs)
    templates = request.__dict__.setdefault("_link_templates", {})
    names = tuple(url_kwargs)
    key = (view_name, names)
    if key not in templates:
        templates[key] = build_template(
            lambda placeholders: _absolute(request, reverse(view_name, kwargs=placeholders)),
            list(names),
        )
    return templates[key].fill(list(url_kwargs.values()))


def patch_web_url(request, linkname: str, msgid: str) -> str:
    return _link(request, "patch-detail", linkname=linkname, msgid=strip_brackets(msgid))


def patch_mbox_url(request, linkname: str, msgid: str) -> str:
    return _link(request, "patch-mbox", linkname=linkname, msgid=strip_brackets(msgid))


def cover_web_url(request, linkname: str, msgid: str) -> str:
    return _link(request, "cover-detail", linkname=linkname, msgid=strip_brackets(msgid))


def cover_mbox_url(request, linkname: str, msgid: str) -> str:
    return _link(request, "cover-mbox", linkname=linkname, msgid=strip_brackets(msgid))


def comment_web_url(request, comment_id: int) -> str:
    """``/comment/<id>/``, as Patchwork links every comment: that page redirects to the
    patch's or cover letter's page, anchored at the comment."""
    return _link(request, "comment-redirect", comment_id=comment_id)


def series_web_url(request, linkname: str, series_id: int) -> str:
    return f"{_link(request, 'project-patch-list', linkname=linkname)}?series={series_id}"


def series_mbox_url(request, series_id: int) -> str:
    return _link(request, "series-mbox", series_id=series_id)


def bundle_web_url(request, username: str, bundlename: str) -> str:
    return _absolute(
        request, reverse("bundle-detail", kwargs={"username": username, "bundlename": bundlename})
    )


def bundle_mbox_url(request, username: str, bundlename: str) -> str:
    return _absolute(
        request, reverse("bundle-mbox", kwargs={"username": username, "bundlename": bundlename})
    )


def list_archive_url(list_archive_url_format: str, msgid: str) -> str | None:
    """The list archive's page for a Message-ID, or None when the project has no format
    (or one that is not a single ``{}`` placeholder, stored before formats were checked)."""
    return fill_url_format(list_archive_url_format, strip_brackets(msgid))
