"""Patch, cover letter and series pages, and the comment redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from bundles import services as bundle_services
from bundles.models import Bundle
from covers.models import Cover, CoverComment
from covers.services import can_update_cover_comment, update_cover_comment
from downloads import links, queries
from patches.models import Check, Patch, PatchComment
from patches.querysets import later_check_exists
from patches.services import can_edit_patch, update_comment, update_patch
from patchwork_api.validation import is_id
from series.models import Series
from triage.models import Supersession
from web.forms import BundleNameForm, PatchForm
from web.views.common import REFUSALS, back_to, report_refusal, web_page

ADDRESSED_VALUES = {"true": True, "false": False, "": None}


def _msgid_url(url_name: str, submission: Patch | Cover) -> str:
    return reverse(
        url_name,
        kwargs={
            "linkname": submission.project.linkname,
            "msgid": links.strip_brackets(submission.msgid),
        },
    )


def apply_commands(patch: Patch) -> list[str]:
    """Commands that apply the patch from a shell."""
    commands = [f"git pw patch apply {patch.pk}"]
    if patch.series_id is not None:
        commands.append(f"git pw series apply {patch.series_id}")
    commands.append(f"b4 am {links.strip_brackets(patch.msgid)}")
    return commands


def latest_checks_of(patch: Patch):
    """The checks no later check of the same user and context replaces (Patchwork's
    page shows these), with their users."""
    return (
        Check.objects.filter(patch=patch)
        .filter(~later_check_exists())
        .select_related("user")
        .order_by("context", "user__username", "id")
    )


def series_members(series: Series | None):
    """The patches of a series in order, without their big text columns."""
    if series is None:
        return []
    return list(
        series.patches.select_related("state")
        .only("id", "msgid", "name", "number", "state__name", "project_id", "series_id")
        .order_by("number", "id")
    )


def supersession_of(patch: Patch) -> Supersession | None:
    """The latest automatic supersession of a patch that is superseded now (None for a
    patch in another state, or one only a person superseded)."""
    if patch.state is None or patch.state.slug != "superseded":
        return None
    supersessions = Supersession.objects.filter(patch=patch).select_related("superseded_by")
    return supersessions.order_by("-event__date", "-id").first()


def other_versions(series: Series | None) -> list[Series]:
    """The other revisions of a series: the submitter's series of the project with the
    same name."""
    if series is None or not series.name:
        return []
    return list(
        Series.objects.filter(
            project_id=series.project_id,
            submitter_id=series.submitter_id,
            name__iexact=series.name,
        )
        .exclude(pk=series.pk)
        .only("id", "name", "version", "date")
        .order_by("version", "id")
    )


@web_page
def patch_detail(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The patch page: metadata, edit form, series, checks, message, comments, diff."""
    patch = queries.find_patch(linkname, msgid, queries.detail_patches())
    if patch is None:
        cover = queries.find_cover(linkname, msgid, Cover.objects.only("id", "msgid"))
        if cover is not None:
            return redirect("cover-detail", linkname=linkname, msgid=msgid)
        raise Http404("Patch not found.")
    user = request.user
    editable = can_edit_patch(user, patch)
    form = PatchForm(patch=patch) if editable else None
    if request.method == "POST":
        answer = _patch_post(request, patch, editable)
        if isinstance(answer, PatchForm):
            form = answer
        else:
            return answer
    comments = list(queries.page_comments(patch.comments))
    for comment in comments:
        comment.editable = editable or (
            user.is_authenticated and comment.submitter.user_id == user.pk
        )
    related = []
    if patch.related_id is not None:
        related = [
            other
            for other in patch.related.patches.select_related("project").only(
                "id", "msgid", "name", "project__linkname", "project__name", "related_id"
            )
            if other.pk != patch.pk
        ]
    context = {
        "patch": patch,
        "project": patch.project,
        "editable": editable,
        "form": form,
        "comments": comments,
        "checks": latest_checks_of(patch),
        "series_members": series_members(patch.series),
        "other_versions": other_versions(patch.series),
        "related": related,
        "supersession": supersession_of(patch),
        "commands": apply_commands(patch),
        "mbox_url": _msgid_url("patch-mbox", patch),
        "raw_url": _msgid_url("patch-raw", patch),
        "archive_url": links.list_archive_url(patch.project.list_archive_url_format, patch.msgid),
        "commit_url": (
            patch.project.commit_url_format.format(patch.commit_ref)
            if patch.commit_ref and patch.project.commit_url_format
            else None
        ),
    }
    if user.is_authenticated:
        context["own_bundles"] = list(Bundle.objects.filter(owner=user, project=patch.project))
    return render(request, "web/patch_detail.html", context)


def _patch_post(request: HttpRequest, patch: Patch, editable: bool):
    """The patch page's forms; a redirect, or the edit form back with its errors."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Log in to change patches.")
    action = request.POST.get("action", "")
    if action == "update":
        if not editable:
            raise PermissionDenied("You may not change this patch.")
        form = PatchForm(request.POST, patch=patch)
        if not form.is_valid():
            return form
        changes = form.changes()
        try:
            update_patch(patch, actor=request.user, **changes)
        except REFUSALS as error:
            report_refusal(request, error)
            return form
        messages.success(request, "Patch updated." if changes else "Nothing changed.")
    elif action in ("create", "add"):
        _bundle_patch(request, patch, action)
    elif action == "addressed":
        _mark_comment(request, patch)
    else:
        messages.error(request, "Unknown action.")
    return back_to(request)


def _bundle_patch(request: HttpRequest, patch: Patch, action: str) -> None:
    try:
        if action == "create":
            form = BundleNameForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for text in errors:
                        messages.error(request, text)
                return
            bundle = bundle_services.create_bundle(
                owner=request.user, name=form.cleaned_data["name"], patches=[patch]
            )
            messages.success(request, f"Bundle {bundle.name} created.")
            return
        value = request.POST.get("bundle_id", "")
        bundle = Bundle.objects.filter(
            pk=int(value) if is_id(value) else 0, owner=request.user
        ).first()
        if bundle is None:
            messages.error(request, "No bundle was selected.")
            return
        added = bundle_services.add_patches(bundle, [patch], actor=request.user)
        if added:
            messages.success(request, f"Patch added to bundle {bundle.name}.")
        else:
            messages.warning(request, f"The patch is already in bundle {bundle.name}.")
    except REFUSALS as error:
        report_refusal(request, error)


def _chosen_addressed(request: HttpRequest) -> tuple[str, bool | None]:
    value = request.POST.get("addressed", "").lower()
    if value not in ADDRESSED_VALUES:
        raise Http404("Unknown value.")
    return request.POST.get("comment_id", ""), ADDRESSED_VALUES[value]


def _mark_comment(request: HttpRequest, patch: Patch) -> None:
    comment_id, addressed = _chosen_addressed(request)
    comment = get_object_or_404(
        PatchComment.objects.select_related("submitter", "patch__project", "patch__submitter"),
        pk=int(comment_id) if is_id(comment_id) else 0,
        patch=patch,
    )
    try:
        update_comment(comment, actor=request.user, addressed=addressed)
    except REFUSALS as error:
        report_refusal(request, error)
        return
    messages.success(request, "Comment updated.")


@web_page
def cover_detail(request: HttpRequest, linkname: str, msgid: str) -> HttpResponse:
    """The cover letter page: metadata, series, text and replies."""
    cover = queries.find_cover(linkname, msgid, queries.detail_covers())
    if cover is None:
        patch = queries.find_patch(linkname, msgid, Patch.objects.only("id", "msgid"))
        if patch is not None:
            return redirect("patch-detail", linkname=linkname, msgid=msgid)
        raise Http404("Cover letter not found.")
    if request.method == "POST":
        _mark_cover_comment(request, cover)
        return back_to(request)
    # The reverse one-to-one raises an AttributeError subclass when there is no series.
    series = getattr(cover, "series", None)
    comments = list(queries.page_comments(cover.comments))
    _mark_editable_cover_comments(request.user, cover, comments)
    context = {
        "cover": cover,
        "project": cover.project,
        "series": series,
        "series_members": series_members(series),
        "comments": comments,
        "mbox_url": _msgid_url("cover-mbox", cover),
        "archive_url": links.list_archive_url(cover.project.list_archive_url_format, cover.msgid),
    }
    return render(request, "web/cover_detail.html", context)


def _mark_editable_cover_comments(user, cover: Cover, comments: list[CoverComment]) -> None:
    """``can_update_cover_comment`` for every comment, asking the database once."""
    if not user.is_authenticated:
        for comment in comments:
            comment.editable = False
        return
    everyone = user.is_superuser or cover.project.is_maintainer(user)
    for comment in comments:
        comment.editable = everyone or user.pk in (
            comment.submitter.user_id,
            cover.submitter.user_id,
        )


def _mark_cover_comment(request: HttpRequest, cover: Cover) -> None:
    comment_id, addressed = _chosen_addressed(request)
    comment = get_object_or_404(
        CoverComment.objects.select_related("submitter"),
        pk=int(comment_id) if is_id(comment_id) else 0,
        cover=cover,
    )
    comment.cover = cover
    if not can_update_cover_comment(request.user, comment):
        raise PermissionDenied("You may not change this comment.")
    update_cover_comment(comment, addressed=addressed)
    messages.success(request, "Comment updated.")


@web_page
def series_detail(request: HttpRequest, series_id: int) -> HttpResponse:
    """``/series/<id>/``: a series with its cover letter, patches, other versions and
    dependencies (Patchwork shows a series only as a filtered list)."""
    series = get_object_or_404(
        Series.objects.select_related("project", "submitter", "cover_letter").prefetch_related(
            Prefetch("dependencies", queryset=Series.objects.only("id", "name", "version")),
            Prefetch("dependents", queryset=Series.objects.only("id", "name", "version")),
        ),
        pk=series_id,
    )
    patches = list(
        series.patches.select_related("state", "delegate")
        .defer("content", "diff", "headers")
        .order_by("number", "id")
    )
    first_msgid = (
        series.cover_letter.msgid if series.cover_letter else (patches[0].msgid if patches else "")
    )
    context = {
        "series": series,
        "project": series.project,
        "patches": patches,
        "other_versions": other_versions(series),
        "commands": [f"git pw series apply {series.pk}"]
        + ([f"b4 am {links.strip_brackets(first_msgid)}"] if first_msgid else []),
    }
    return render(request, "web/series_detail.html", context)


@web_page
def comment_redirect(request: HttpRequest, comment_id: int) -> HttpResponse:
    """``/comment/<id>/``: the page of the patch or cover letter, at the comment."""
    comment = (
        PatchComment.objects.select_related("patch__project")
        .only("id", "patch__msgid", "patch__project__linkname")
        .filter(pk=comment_id)
        .first()
    )
    if comment is not None:
        return redirect(f"{_msgid_url('patch-detail', comment.patch)}#{comment_id}")
    cover_comment = (
        CoverComment.objects.select_related("cover__project")
        .only("id", "cover__msgid", "cover__project__linkname")
        .filter(pk=comment_id)
        .first()
    )
    if cover_comment is None:
        raise Http404("No comment matches the given query.")
    return redirect(f"{_msgid_url('cover-detail', cover_comment.cover)}#{comment_id}")
