"""The project list, a project's page and its ``.pwclientrc``."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from patches.models import Patch
from projects.models import Project
from web.views.common import web_page


@web_page
def project_list(request: HttpRequest) -> HttpResponse:
    """``/``: every project; the patch list straight away when there is only one (as
    Patchwork)."""
    projects = list(Project.objects.order_by("name"))
    if len(projects) == 1:
        return redirect("project-patch-list", linkname=projects[0].linkname)
    return render(request, "web/project_list.html", {"projects": projects})


def api_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("api-index"))


@web_page
def project_detail(request: HttpRequest, linkname: str) -> HttpResponse:
    """``/project/<p>/``: the project's list, maintainers, patch counts, links and ready
    client settings (git-pw, pwclient, b4)."""
    project = get_object_or_404(Project, linkname=linkname)
    counts = Patch.objects.filter(project=project).aggregate(
        current=Count("id", filter=Q(archived=False)),
        archived=Count("id", filter=Q(archived=True)),
    )
    maintainers = get_user_model().objects.filter(maintained_projects=project).order_by("username")
    context = {
        "project": project,
        "maintainers": maintainers,
        "patch_count": counts["current"],
        "archived_count": counts["archived"],
        "api_url": api_url(request),
        "xmlrpc_url": request.build_absolute_uri(reverse("xmlrpc")),
    }
    return render(request, "web/project_detail.html", context)


@web_page
def pwclientrc(request: HttpRequest, linkname: str) -> HttpResponse:
    """``/project/<p>/pwclientrc/``: a ``.pwclientrc`` section for the project."""
    project = get_object_or_404(Project, linkname=linkname)
    context = {"project": project, "api_url": api_url(request), "host": request.get_host()}
    response = render(request, "web/pwclientrc.txt", context, content_type="text/plain")
    response["Content-Disposition"] = "attachment; filename=.pwclientrc"
    return response
