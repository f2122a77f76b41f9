"""Patch endpoints: patches, their checks and comments, and the ``/api/states/`` extra."""

from django.shortcuts import get_object_or_404
from rest_framework import exceptions, permissions
from rest_framework.generics import (
    ListAPIView,
    ListCreateAPIView,
    RetrieveAPIView,
    RetrieveUpdateAPIView,
)
from rest_framework.response import Response

from patches.filters import CheckFilterSet, PatchFilterSet
from patches.models import Check, Patch, PatchComment, State
from patches.querysets import order_by_checks
from patches.serializers import (
    CheckSerializer,
    PatchCommentSerializer,
    PatchDetailSerializer,
    PatchListSerializer,
    StateSerializer,
)
from patches.services import (
    can_create_check,
    can_edit_comment,
    can_edit_patch,
    create_check,
    update_comment,
    update_patch,
)
from patchwork_api.api.filters import FilterBackend, OrderFilter
from patchwork_api.api.metadata import described
from patchwork_api.api.routing import SinceVersionMixin
from patchwork_api.api.service_errors import service_errors
from patchwork_api.api.versioning import request_version


class PatchPermission(permissions.BasePermission):
    """Everyone reads; superusers, maintainers, the delegate and the submitter write."""

    def has_object_permission(self, request, view, patch) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_edit_patch(request.user, patch)


class PatchCommentPermission(permissions.BasePermission):
    """Everyone reads; the author and those who may change the patch write."""

    def has_object_permission(self, request, view, comment) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_edit_comment(request.user, comment)


class PatchList(ListAPIView):
    """List patches."""

    serializer_class = PatchListSerializer
    filterset_class = PatchFilterSet
    filter_backends = [FilterBackend, OrderFilter]
    ordering_fields = (
        "id",
        "name",
        "project",
        "date",
        "state",
        "archived",
        "submitter",
        "check",
    )  # Patchwork's: no ``delegate`` (``?order=delegate`` is ignored, ids in order)
    ordering_expressions = {"check": order_by_checks}
    ordering = "id"

    def get_queryset(self):
        return Patch.objects.for_api(request_version(self.request))


class PatchDetail(RetrieveUpdateAPIView):
    """
    get:
    Show a patch.

    patch:
    Update a patch (state, delegate, archived, commit_ref and, from 1.2, related).

    put:
    Update a patch (state, delegate, archived, commit_ref and, from 1.2, related).
    """

    # the OPTIONS description (and name) Patchwork answers
    description = described(get="Show a patch.", patch="Update a patch.", put="Update a patch.")

    serializer_class = PatchDetailSerializer
    permission_classes = [PatchPermission]
    filter_backends = []

    def get_queryset(self):
        return Patch.objects.for_api(request_version(self.request), detail=True)

    def perform_update(self, serializer) -> None:
        with service_errors():
            update_patch(serializer.instance, actor=self.request.user, **serializer.validated_data)


class PatchChildMixin:
    """Views of the checks or comments of the patch named by the ``patch_id`` URL kwarg:
    404 when there is no such patch."""

    def get_patch(self) -> Patch:
        if not hasattr(self, "_patch"):
            patches = Patch.objects.select_related("project", "submitter").defer(
                "content", "diff", "headers"
            )
            self._patch = get_object_or_404(patches, pk=self.kwargs["patch_id"])
        return self._patch


class CheckList(PatchChildMixin, ListCreateAPIView):
    """
    get:
    List the checks of a patch.

    post:
    Create a check (CI results).
    """

    # the OPTIONS description (and name) Patchwork answers
    name = "Check List Create"
    description = described(get="List checks.", post="Create a check.")

    serializer_class = CheckSerializer
    filterset_class = CheckFilterSet
    filter_backends = [FilterBackend, OrderFilter]
    ordering_fields = ("id", "date", "state", "context", "user")
    ordering = "id"

    def get_queryset(self):
        return Check.objects.for_api().filter(patch=self.get_patch())

    def create(self, request, *args, **kwargs) -> Response:
        # permission before validation: a refused client learns nothing about its body
        # 403 "You do not have permission ...", anonymous users included, as Patchwork
        if not can_create_check(request.user, self.get_patch()):
            raise exceptions.PermissionDenied()
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        with service_errors():
            serializer.instance = create_check(
                self.get_patch(), user=self.request.user, **serializer.validated_data
            )


class CheckDetail(PatchChildMixin, RetrieveAPIView):
    """Show a check."""

    serializer_class = CheckSerializer
    filter_backends = []
    lookup_url_kwarg = "check_id"

    def get_queryset(self):
        return Check.objects.for_api().filter(patch=self.get_patch())


class PatchCommentList(SinceVersionMixin, PatchChildMixin, ListAPIView):
    """List the comments of a patch (API 1.1+)."""

    # the OPTIONS description (and name) Patchwork answers
    description = "List patch comments"

    first_version = (1, 1)
    serializer_class = PatchCommentSerializer
    filter_backends = [OrderFilter]
    ordering_fields = ("id", "date", "submitter")
    ordering = "id"

    def get_queryset(self):
        return PatchComment.objects.for_api().filter(patch=self.get_patch())


class PatchCommentDetail(SinceVersionMixin, PatchChildMixin, RetrieveUpdateAPIView):
    """
    get:
    Show a patch comment (API 1.3+).

    patch:
    Mark a patch comment as addressed or not (API 1.3+).

    put:
    Mark a patch comment as addressed or not (API 1.3+).
    """

    # the OPTIONS description (and name) Patchwork answers
    description = described(
        get="Show a patch comment.", patch="Update a patch comment.", put="Update a patch comment."
    )

    first_version = (1, 3)
    serializer_class = PatchCommentSerializer
    permission_classes = [PatchCommentPermission]
    filter_backends = []
    lookup_url_kwarg = "comment_id"

    def get_queryset(self):
        return PatchComment.objects.for_api().filter(patch=self.get_patch())

    def perform_update(self, serializer) -> None:
        if "addressed" not in serializer.validated_data:
            return
        with service_errors():
            update_comment(
                serializer.instance,
                actor=self.request.user,
                addressed=serializer.validated_data["addressed"],
            )


class StateList(SinceVersionMixin, ListAPIView):
    """List patch states (an extra of the unversioned ``/api/``: clients pinned to a
    version see Patchwork's API only)."""

    unversioned_only = True
    serializer_class = StateSerializer
    filter_backends = []
    queryset = State.objects.order_by("ordering")
