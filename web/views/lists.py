"""Patch lists: a project's list with filters and bulk actions, and the todo lists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from bundles import services as bundle_services
from bundles.models import Bundle
from patches.models import Patch, State
from patches.services import maintains, update_patches
from patchwork_api.validation import is_id
from projects.models import Project
from web import listing
from web.forms import BulkPatchForm, BundleNameForm, delegate_choices
from web.views.common import REFUSALS, back_to, report_refusal, selected_ids, web_page


def can_triage(user, project: Project) -> bool:
    """Whether the list offers the bulk state/delegate/archive controls: to maintainers,
    superusers and holders of ``patches.change_patch`` (others may still change the
    patches they submitted or were delegated, from the patch page)."""
    if not user.is_authenticated:
        return False
    return maintains(user, project.pk) or user.has_perm("patches.change_patch")


def list_context(
    request: HttpRequest,
    project: Project,
    patches: QuerySet[Patch],
    filters: listing.PatchFilters,
    *,
    sortable: bool = True,
) -> dict:
    """What the patch table and its controls show, for one page of ``patches``."""
    order = None
    if sortable:
        order = listing.Order.from_query(
            request.GET.get("order"), series=filters.series is not None
        )
    queryset = listing.list_queryset(filters.apply(patches))
    if order is not None:
        queryset = order.apply(queryset)
    page = listing.paginate(
        queryset, request.GET.get("page"), listing.items_per_page(request.user)
    )
    rows = list(page.object_list)
    tags = listing.column_tags(project)
    listing.annotate_rows(rows, tags)
    user = request.user
    triage = can_triage(user, project)
    states = list(State.objects.order_by("ordering"))
    delegates = list(delegate_choices(project))
    context = {
        "project": project,
        "filters": filters,
        "order": order,
        "page": page,
        "rows": rows,
        "page_numbers": listing.page_numbers(page),
        "tags": tags,
        "states": states,
        "delegates": delegates,
        "can_triage": triage,
        "show_ids": user.is_authenticated
        and getattr(user, "profile", None) is not None
        and user.profile.show_ids,
    }
    if user.is_authenticated:
        context["own_bundles"] = list(Bundle.objects.filter(owner=user, project=project))
    if triage:
        context["bulk_form"] = BulkPatchForm(project=project, states=states, delegates=delegates)
    return context


@web_page
def project_patch_list(request: HttpRequest, linkname: str) -> HttpResponse:
    """``/project/<p>/list/``: the project's patches; maintainers change them in bulk."""
    project = get_object_or_404(Project, linkname=linkname)
    patches = Patch.objects.filter(project=project)
    if request.method == "POST":
        return bulk_action(request, project, patches)
    filters = listing.PatchFilters.from_query(request.GET, project)
    context = list_context(request, project, patches, filters)
    return render(request, "web/patch_list.html", context)


@login_required
@web_page
def todo_lists(request: HttpRequest) -> HttpResponse:
    """``/user/todo/``: the projects where patches await the user; straight to the list
    when there is one (as Patchwork)."""
    counts = []
    for project in Project.objects.order_by("linkname"):
        total = todo_patches(request.user, project).count()
        if total:
            counts.append((project, total))
    if len(counts) == 1:
        return redirect("user-todo", linkname=counts[0][0].linkname)
    return render(request, "web/todo_lists.html", {"todo_lists": counts})


def todo_patches(user, project: Project) -> QuerySet[Patch]:
    """Patches delegated to ``user`` in a state that needs action, not archived."""
    return Patch.objects.filter(
        project=project, delegate=user, archived=False, state__action_required=True
    )


@login_required
@web_page
def todo_list(request: HttpRequest, linkname: str) -> HttpResponse:
    """``/user/todo/<p>/``: the user's todo list in one project."""
    project = get_object_or_404(Project, linkname=linkname)
    patches = todo_patches(request.user, project)
    if request.method == "POST":
        return bulk_action(request, project, patches)
    filters = listing.PatchFilters.from_query(request.GET, project)
    filters.forced_delegate = request.user
    context = list_context(request, project, patches, filters)
    context["todo"] = True
    return render(request, "web/patch_list.html", context)


def bulk_action(request: HttpRequest, project: Project, patches: QuerySet[Patch]):
    """The list form's POST: change the ticked patches, or put them in a bundle.

    Every change goes through a service in one transaction; a refusal changes nothing
    and is shown as a message. The answer redirects to the list as it was.
    """
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('auth_login')}?next={request.get_full_path()}")
    ids = selected_ids(request)
    chosen = list(
        patches.filter(pk__in=ids)
        .select_related("project", "submitter")
        .defer(*listing.LIST_DEFERRED_FIELDS)
    )
    action = request.POST.get("action", "")
    if request.POST.get("name", "").strip() and action not in ("add", "remove"):
        action = "create"  # Enter pressed in the bundle name field (as Patchwork reads it)
    if not chosen:
        messages.warning(request, "No patches selected; nothing changed.")
    elif action == "update":
        _bulk_update(request, project, chosen)
    elif action in ("create", "add", "remove"):
        _bundle_action(request, project, chosen, action)
    else:
        messages.error(request, "Unknown action.")
    return back_to(request)


def _bulk_update(request: HttpRequest, project: Project, patches: list[Patch]) -> None:
    form = BulkPatchForm(
        request.POST,
        project=project,
        states=list(State.objects.order_by("ordering")),
        delegates=list(delegate_choices(project)),
    )
    if not form.is_valid():
        messages.error(request, "The submitted form data was invalid.")
        return
    changes = form.changes()
    if not changes:
        messages.warning(request, "No change chosen; nothing updated.")
        return
    try:
        update_patches(patches, actor=request.user, **changes)
    except REFUSALS as error:
        report_refusal(request, error)
        return
    count = len(patches)
    messages.success(request, f"{count} patch{'es' if count != 1 else ''} updated.")


def _bundle_action(request: HttpRequest, project: Project, patches: list[Patch], action: str):
    try:
        if action == "create":
            form = BundleNameForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for text in errors:
                        messages.error(request, text)
                return
            bundle = bundle_services.create_bundle(
                owner=request.user, name=form.cleaned_data["name"], patches=patches
            )
            messages.success(request, f"Bundle {bundle.name} created with {len(patches)} patches.")
            return
        bundle = _own_bundle(request, request.POST.get("bundle_id", ""))
        if bundle is None:
            messages.error(request, "No bundle was selected.")
        elif action == "add":
            added = bundle_services.add_patches(bundle, patches, actor=request.user)
            messages.success(request, f"{len(added)} patch(es) added to bundle {bundle.name}.")
        else:
            removed = bundle_services.remove_patches(bundle, patches, actor=request.user)
            messages.success(request, f"{removed} patch(es) removed from bundle {bundle.name}.")
    except REFUSALS as error:
        report_refusal(request, error)


def _own_bundle(request: HttpRequest, value: str) -> Bundle | None:
    """The bundle of the given id, which must be the user's."""
    if not is_id(value):
        return None
    return Bundle.objects.filter(pk=int(value), owner=request.user).first()
