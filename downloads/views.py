"""Download views: patch/cover/series/bundle mbox files, raw diffs, redirects (pages: ``web``).

Everything here answers GET (and HEAD) only.  As in Patchwork, a missing project, patch,
cover, series or bundle, or a ``?series=`` value that does not fit the patch gives Django's
HTML 404 page, and another user's private bundle an empty 404; never a 500.
"""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings

from bundles.models import Bundle
from covers.models import Cover
from downloads import compiled, links, queries
from downloads.mbox import (
    SeriesSelectionError,
    cover_to_mbox,
    filename_slug,
    patch_filename,
    patch_to_mbox,
    patches_to_mbox,
    series_patch_to_mbox,
)
from patches.models import Patch
from series.models import Series

# Patchwork's content types: only the patch mbox names its charset (the bodies are UTF-8).
PATCH_MBOX_CONTENT_TYPE = "text/plain; charset=utf-8"
MBOX_CONTENT_TYPE = "text/plain"
DIFF_CONTENT_TYPE = "text/x-patch"


def download_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only; an Http404 is Django's HTML 404 page, as Patchwork answers it."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404 as error:
            return page_not_found(request, error)

    return wrapper


def attachment(text: str, filename: str, content_type: str) -> HttpResponse:
    """A download whose file name clients read from Content-Disposition, unquoted."""
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response


def request_user(request: HttpRequest):
    """The user a download is for: API token or HTTP Basic credentials, else the session.

    Bad credentials are ignored rather than refused, as Patchwork does for bundle mbox
    files, so a stale token still gets the public bundles.
    """
    for authentication_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authentication_class, SessionAuthentication):
            continue
        try:
            result = authentication_class().authenticate(request)
        except AuthenticationFailed:
            continue
        if result is not None:
            return result[0]
    return request.user


def _patch_or_404(linkname: str, msgid: str, queryset=None) -> Patch:
    patch = queries.find_patch(linkname, msgid, queryset)
    if patch is None:
        raise Http404("Patch not found.")
    return patch


def _cover_or_404(linkname: str, msgid: str, queryset=None) -> Cover:
    cover = queries.find_cover(linkname, msgid, queryset)
    if cover is None:
        raise Http404("Cover letter not found.")
    return cover


@download_view
def patch_mbox(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The patch as a mail for git am; ``?series=*|<id>`` prepends what it depends on."""
    series = request.GET.get("series")
    if series:
        patch = _patch_or_404(linkname, msgid, queries.mbox_patches())
        try:
            text = series_patch_to_mbox(patch, series)
        except SeriesSelectionError as error:
            raise Http404(str(error)) from None
    else:
        found = compiled.mbox_patch(linkname, msgid)
        if found is None:
            raise Http404("Patch not found.")
        patch, trailers = found
        text = patch_to_mbox(patch, trailers=trailers)
    return attachment(text, f"{patch_filename(patch)}.patch", PATCH_MBOX_CONTENT_TYPE)


@download_view
def patch_raw(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The patch's diff alone (empty for a pull request, where Patchwork writes "None")."""
    patch = _patch_or_404(linkname, msgid, Patch.objects.only("id", "msgid", "name", "diff"))
    return attachment(patch.diff or "", f"{patch_filename(patch)}.diff", DIFF_CONTENT_TYPE)


@download_view
def cover_mbox(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The cover letter as a mail."""
    cover = _cover_or_404(linkname, msgid, queries.mbox_covers())
    return attachment(cover_to_mbox(cover), f"{patch_filename(cover)}.mbox", MBOX_CONTENT_TYPE)


def series_filename(series: Series) -> str:
    """Patchwork's file name for a series: its name, or "Untitled series #<id>"."""
    return filename_slug(series.name or f"Untitled series #{series.id}")


@download_view
def series_mbox(request: HttpRequest, series_id: int) -> HttpResponse:
    """The series' patches in order, each with its trailers; no cover letter."""
    series = get_object_or_404(Series.objects.only("id", "name"), id=series_id)
    text = "\n".join(
        patch_to_mbox(patch, trailers=trailers)
        for patch, trailers in compiled.mbox_series_patches(series.id)
    )
    return attachment(text, f"{series_filename(series)}.patch", MBOX_CONTENT_TYPE)


@download_view
def bundle_mbox(request: HttpRequest, username: str, bundlename: str) -> HttpResponse:
    """The bundle's patches in the bundle's order; the file name holds the bundle's name
    as it is.  Another user's private bundle is an empty 404, as in Patchwork."""
    bundle = get_object_or_404(
        Bundle.objects.select_related("owner", "project"),
        owner__username=username,
        name=bundlename,
    )
    if not bundle.public and request_user(request) != bundle.owner:
        return HttpResponseNotFound()
    text = patches_to_mbox(queries.bundle_patches(bundle.id))
    return attachment(text, f"bundle-{bundle.id}-{bundle.name}.mbox", MBOX_CONTENT_TYPE)


def _patch_by_id(patch_id: int) -> Patch:
    return get_object_or_404(
        Patch.objects.select_related("project").only("id", "msgid", "project__linkname"),
        id=patch_id,
    )


def _cover_by_id(cover_id: int) -> Cover:
    return get_object_or_404(
        Cover.objects.select_related("project").only("id", "msgid", "project__linkname"),
        id=cover_id,
    )


def _msgid_url(url_name: str, submission: Patch | Cover) -> str:
    return reverse(
        url_name,
        kwargs={
            "linkname": submission.project.linkname,
            "msgid": links.strip_brackets(submission.msgid),
        },
    )


def _redirect_keeping_query(request: HttpRequest, url: str) -> HttpResponse:
    """A 302 to url, carrying the request's query string (``?series=*`` for instance)."""
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)


@download_view
def patch_by_id(request: HttpRequest, patch_id: int) -> HttpResponse:
    """``/patch/<id>/`` -> the patch's page."""
    return _redirect_keeping_query(request, _msgid_url("patch-detail", _patch_by_id(patch_id)))


@download_view
def patch_mbox_by_id(request: HttpRequest, patch_id: int) -> HttpResponse:
    """``/patch/<id>/mbox/`` -> the patch's mbox."""
    return _redirect_keeping_query(request, _msgid_url("patch-mbox", _patch_by_id(patch_id)))


@download_view
def patch_raw_by_id(request: HttpRequest, patch_id: int) -> HttpResponse:
    """``/patch/<id>/raw/`` -> the patch's diff."""
    return _redirect_keeping_query(request, _msgid_url("patch-raw", _patch_by_id(patch_id)))


@download_view
def cover_by_id(request: HttpRequest, cover_id: int) -> HttpResponse:
    """``/cover/<id>/`` -> the cover letter's page."""
    return _redirect_keeping_query(request, _msgid_url("cover-detail", _cover_by_id(cover_id)))


@download_view
def cover_mbox_by_id(request: HttpRequest, cover_id: int) -> HttpResponse:
    """``/cover/<id>/mbox/`` -> the cover letter's mbox."""
    return _redirect_keeping_query(request, _msgid_url("cover-mbox", _cover_by_id(cover_id)))
