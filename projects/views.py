"""Project endpoints: list, and detail by id or link name (PUT/PATCH by maintainers)."""

from django.http import Http404
from rest_framework import permissions
from rest_framework.generics import ListAPIView, RetrieveUpdateAPIView

from patchwork_api.api.filters import FilterBackend
from patchwork_api.api.metadata import described
from patchwork_api.api.service_errors import service_errors
from patchwork_api.validation import is_id
from projects.filters import AliasOrderFilter, ProjectFilterSet
from projects.querysets import projects_for_api
from projects.serializers import ProjectSerializer
from projects.services import can_edit_project, update_project_as

# Project columns that the API serves as (nullable) strings and stores as "" when unset.
BLANK_WHEN_NULL = ("list_archive_url", "list_archive_url_format", "commit_url_format")


class ProjectPermission(permissions.BasePermission):
    """Everyone reads; superusers and maintainers change."""

    def has_object_permission(self, request, view, project) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_edit_project(request.user, project)


class ProjectList(ListAPIView):
    """List projects."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    filter_backends = [FilterBackend, AliasOrderFilter]
    ordering_fields = ("id", "name", "link_name", "list_id")
    ordering_aliases = {"link_name": "linkname", "list_id": "listid"}
    ordering = "id"

    def get_queryset(self):
        return projects_for_api()


class ProjectDetail(RetrieveUpdateAPIView):
    """
    get:
    Show a project (by id or link name).

    patch:
    Update a project (maintainers).

    put:
    Update a project (maintainers).
    """

    # the OPTIONS description (and name) Patchwork answers
    description = described(
        get="Show a project.", patch="Update a project.", put="Update a project."
    )

    serializer_class = ProjectSerializer
    permission_classes = [ProjectPermission]
    filter_backends = []

    def get_queryset(self):
        return projects_for_api()

    def get_object(self):
        """A number is tried as an id first, then as a link name (``/projects/12345/``
        finds a project whose link name is ``12345``)."""
        lookup = self.kwargs["pk"]
        queryset = self.get_queryset()
        project = None
        if is_id(lookup):
            project = queryset.filter(pk=int(lookup)).first()
        if project is None:
            project = queryset.filter(linkname=lookup).first()
        if project is None:
            raise Http404("No Project matches the given query.")  # as Patchwork words it
        self.check_object_permissions(self.request, project)
        return project

    def perform_update(self, serializer) -> None:
        changes = dict(serializer.validated_data)
        for field_name in BLANK_WHEN_NULL:
            if field_name in changes and changes[field_name] is None:
                changes[field_name] = ""
        with service_errors():
            serializer.instance = update_project_as(
                serializer.instance, actor=self.request.user, **changes
            )
