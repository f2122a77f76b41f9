"""Bundle pages: a bundle's patches (its owner renames, shares, reorders, trims or deletes
it) and the lists of one's bundles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render

from bundles import services as bundle_services
from bundles.models import Bundle
from downloads import links
from patches.models import Patch
from patchwork_api.validation import is_id
from projects.models import Project
from web import listing
from web.forms import BundleSettingsForm
from web.views.common import REFUSALS, back_to, report_refusal, selected_ids, web_page


def _bundle_url(bundle: Bundle) -> str:
    return links.bundle_web_url(None, bundle.owner.username, bundle.name)


@web_page
def bundle_detail(request: HttpRequest, username: str, bundlename: str) -> HttpResponse:
    """``/bundle/<user>/<name>/``: public bundles, and the owner's own private ones."""
    bundle = get_object_or_404(
        Bundle.objects.select_related("owner", "project"),
        owner__username=username,
        name=bundlename,
    )
    is_owner = bundle_services.can_edit_bundle(request.user, bundle)
    if not (is_owner or bundle.public):
        raise Http404("Bundle not found.")
    settings_form = None
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied(bundle_services.NOT_OWNER_MESSAGE)
        answer = _owner_action(request, bundle)
        if isinstance(answer, BundleSettingsForm):
            settings_form = answer
        else:
            return answer
    if is_owner and settings_form is None:
        settings_form = BundleSettingsForm(initial={"name": bundle.name, "public": bundle.public})
    patches = Patch.objects.filter(bundlepatch__bundle=bundle).order_by("bundlepatch__order", "id")
    queryset = listing.list_queryset(patches)
    page = listing.paginate(
        queryset, request.GET.get("page"), listing.items_per_page(request.user)
    )
    rows = list(page.object_list)
    tags = listing.column_tags(bundle.project)
    listing.annotate_rows(rows, tags)
    context = {
        "bundle": bundle,
        "project": bundle.project,
        "is_owner": is_owner,
        "settings_form": settings_form,
        "page": page,
        "rows": rows,
        "page_numbers": listing.page_numbers(page),
        "tags": tags,
        "offset": page.start_index() - 1 if rows else 0,
        "mbox_url": links.bundle_mbox_url(None, bundle.owner.username, bundle.name),
    }
    return render(request, "web/bundle_detail.html", context)


def _owner_action(request: HttpRequest, bundle: Bundle):
    """The owner's forms on the bundle page; a redirect, or the settings form with errors."""
    action = request.POST.get("action", "")
    try:
        if action == "update":
            form = BundleSettingsForm(request.POST)
            if not form.is_valid():
                return form
            bundle_services.update_bundle(
                bundle, name=form.cleaned_data["name"], public=form.cleaned_data["public"]
            )
            messages.success(request, "Bundle updated.")
            return redirect(_bundle_url(bundle))
        if action == "delete":
            bundle_services.delete_bundle(bundle)
            messages.success(request, f"Bundle {bundle.name} deleted.")
            return redirect("user-bundles")
        if action == "remove":
            patches = list(Patch.objects.filter(pk__in=selected_ids(request)).only("id"))
            removed = bundle_services.remove_patches(bundle, patches, actor=request.user)
            messages.success(request, f"{removed} patch(es) removed from the bundle.")
        elif action == "reorder":
            bundle_services.reorder_patches(bundle, _new_order(request), actor=request.user)
            messages.success(request, "Bundle order saved.")
        else:
            messages.error(request, "Unknown action.")
    except REFUSALS as error:
        report_refusal(request, error)
    return back_to(request)


def _new_order(request: HttpRequest) -> list[int]:
    """The patch ids of the reorder form sorted by the positions typed next to them
    (``position:<patch id>``); ties keep the current order."""
    positions = []
    for index, (key, value) in enumerate(request.POST.items()):
        name, _, patch_id = key.partition(":")
        if name != "position" or not is_id(patch_id):
            continue
        try:
            position = float(value)
        except ValueError:
            position = float("inf")
        positions.append((position, index, int(patch_id)))
    return [patch_id for _position, _index, patch_id in sorted(positions)]


@login_required
@web_page
def bundle_list(request: HttpRequest, linkname: str | None = None) -> HttpResponse:
    """``/user/bundles/`` (every project) and ``/project/<p>/bundles/``: the user's bundles,
    with public bundles of others in the project."""
    project = get_object_or_404(Project, linkname=linkname) if linkname else None
    if request.method == "POST":
        return _delete_from_list(request)
    own = Bundle.objects.filter(owner=request.user).select_related("project", "owner")
    public = Bundle.objects.filter(public=True).exclude(owner=request.user)
    if project is not None:
        own = own.filter(project=project)
        public = public.filter(project=project)
    else:
        public = public.none()
    context = {
        "project": project,
        "bundles": _with_counts(own),
        "public_bundles": _with_counts(public.select_related("project", "owner")),
    }
    return render(request, "web/bundle_list.html", context)


def _with_counts(bundles):
    return list(bundles.annotate(patch_count=Count("bundlepatch")).order_by("project", "name"))


def _delete_from_list(request: HttpRequest) -> HttpResponseRedirect:
    value = request.POST.get("bundle_id", "")
    bundle = Bundle.objects.filter(
        pk=int(value) if is_id(value) else 0, owner=request.user
    ).first()
    if bundle is None:
        messages.error(request, "No such bundle of yours.")
    else:
        bundle_services.delete_bundle(bundle)
        messages.success(request, f"Bundle {bundle.name} deleted.")
    return back_to(request)
