"""Download views: patch/cover/series/bundle mbox files, raw diffs, web pages, redirects.

Everything here answers GET (and HEAD) only.  A missing project, patch, cover, series or
bundle, a private bundle seen by someone else, or a ``?series=`` value that does not fit
the patch gives a 404 with a one-line text/plain body, never an HTML error page or a 500.
"""

from collections.abc import Callable
from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings

from bundles.models import Bundle
from covers.models import Cover
from downloads import links, queries
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
from projects.models import Project
from series.models import Series

MBOX_CONTENT_TYPE = "text/plain; charset=utf-8"
DIFF_CONTENT_TYPE = "text/x-patch; charset=utf-8"
PATCHES_PER_PAGE = 100


def download_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only; an Http404 becomes a short text/plain 404 rather than an HTML page."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404 as error:
            message = str(error) or "Not found."
            return HttpResponseNotFound(f"{message}\n", content_type="text/plain; charset=utf-8")

    return wrapper


def attachment(text: str, filename: str, content_type: str = MBOX_CONTENT_TYPE) -> HttpResponse:
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
    patch = _patch_or_404(linkname, msgid, queries.mbox_patches())
    series = request.GET.get("series")
    if series:
        try:
            text = series_patch_to_mbox(patch, series)
        except SeriesSelectionError as error:
            raise Http404(str(error)) from None
    else:
        text = patch_to_mbox(patch)
    return attachment(text, f"{patch_filename(patch)}.patch")


@download_view
def patch_raw(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The patch's diff alone."""
    patch = _patch_or_404(linkname, msgid, Patch.objects.only("id", "msgid", "name", "diff"))
    return attachment(patch.diff or "", f"{patch_filename(patch)}.diff", DIFF_CONTENT_TYPE)


@download_view
def cover_mbox(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The cover letter as a mail."""
    cover = _cover_or_404(linkname, msgid, queries.mbox_covers())
    return attachment(cover_to_mbox(cover), f"{patch_filename(cover)}.mbox")


def series_filename(series: Series) -> str:
    """Patchwork's file name for a series: its name, or "Untitled series #<id>"."""
    return filename_slug(series.name or f"Untitled series #{series.id}")


@download_view
def series_mbox(request: HttpRequest, series_id: int) -> HttpResponse:
    """The series' patches in order, each with its trailers; no cover letter."""
    series = get_object_or_404(Series.objects.only("id", "name"), id=series_id)
    text = patches_to_mbox(queries.series_patches(series))
    return attachment(text, f"{series_filename(series)}.patch")


def _visible_bundle(request: HttpRequest, username: str, bundlename: str) -> Bundle:
    """A bundle its owner may always see and others only when it is public."""
    bundle = get_object_or_404(
        Bundle.objects.select_related("owner", "project"),
        owner__username=username,
        name=bundlename,
    )
    if not bundle.public and request_user(request) != bundle.owner:
        raise Http404("Bundle not found.")
    return bundle


@download_view
def bundle_mbox(request: HttpRequest, username: str, bundlename: str) -> HttpResponse:
    """The bundle's patches in the bundle's order."""
    bundle = _visible_bundle(request, username, bundlename)
    text = patches_to_mbox(queries.bundle_patches(bundle.id))
    filename = f"bundle-{bundle.id}-{filename_slug(bundle.name)}.mbox"
    return attachment(text, filename)


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


# Web pages.


@download_view
def patch_detail(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The patch page: metadata, commit message, replies, checks and diff."""
    patch = queries.find_patch(linkname, msgid, queries.detail_patches())
    if patch is None:
        cover = queries.find_cover(linkname, msgid, Cover.objects.only("id", "msgid"))
        if cover is not None:
            return redirect("cover-detail", linkname=linkname, msgid=msgid)
        raise Http404("Patch not found.")
    context = {
        "patch": patch,
        "project": patch.project,
        "comments": queries.page_comments(patch.comments),
        "checks": patch.checks.select_related("user"),
        "mbox_url": _msgid_url("patch-mbox", patch),
        "raw_url": _msgid_url("patch-raw", patch),
        "series_url": _series_url(patch.series, linkname),
        "series_mbox_url": _series_mbox_url(patch.series),
    }
    return render(request, "downloads/patch_detail.html", context)


@download_view
def cover_detail(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The cover letter page: metadata, text and replies."""
    cover = queries.find_cover(linkname, msgid, queries.detail_covers())
    if cover is None:
        patch = queries.find_patch(linkname, msgid, Patch.objects.only("id", "msgid"))
        if patch is not None:
            return redirect("patch-detail", linkname=linkname, msgid=msgid)
        raise Http404("Cover letter not found.")
    # The reverse one-to-one raises an AttributeError subclass when there is no series.
    series = getattr(cover, "series", None)
    context = {
        "cover": cover,
        "project": cover.project,
        "comments": queries.page_comments(cover.comments),
        "mbox_url": _msgid_url("cover-mbox", cover),
        "series_url": _series_url(series, linkname),
        "series_mbox_url": _series_mbox_url(series),
    }
    return render(request, "downloads/cover_detail.html", context)


def _series_url(series: Series | None, linkname: str) -> str | None:
    return links.series_web_url(None, linkname, series.id) if series is not None else None


def _series_mbox_url(series: Series | None) -> str | None:
    return links.series_mbox_url(None, series.id) if series is not None else None


def _page(request: HttpRequest, queryset):
    """One page of a list; out-of-range or malformed page numbers give the nearest page."""
    return Paginator(queryset, PATCHES_PER_PAGE).get_page(request.GET.get("page"))


def _page_rows(page, linkname_of: Callable[[Patch], str]) -> list[tuple[Patch, str]]:
    """Each patch of a page with the URL of its page."""
    return [(patch, links.patch_web_url(None, linkname_of(patch), patch.msgid)) for patch in page]


@download_view
def project_patch_list(request: HttpRequest, linkname: str) -> HttpResponse:
    """A project's patches, paginated; ``?series=<id>`` lists one series (series web_url)."""
    project = get_object_or_404(Project, linkname=linkname)
    listing = queries.ListFilters.from_query(request.GET)
    page = _page(request, queries.list_patches(project, listing))
    series = listing.series(project)
    context = {
        "project": project,
        "page": page,
        "rows": _page_rows(page, lambda patch: project.linkname),
        "series": series,
        "series_mbox_url": _series_mbox_url(series),
        "query_prefix": listing.query_string(),
    }
    return render(request, "downloads/patch_list.html", context)


@download_view
def bundle_detail(request: HttpRequest, username: str, bundlename: str) -> HttpResponse:
    """A bundle's patches in order (public bundles, or the owner's own)."""
    bundle = _visible_bundle(request, username, bundlename)
    page = _page(request, queries.list_bundle_patches(bundle.id))
    context = {
        "bundle": bundle,
        "project": bundle.project,
        "page": page,
        "rows": _page_rows(page, lambda patch: patch.project.linkname),
        "mbox_url": links.bundle_mbox_url(None, bundle.owner.username, bundle.name),
        "query_prefix": "",
    }
    return render(request, "downloads/bundle_detail.html", context)
