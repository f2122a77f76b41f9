"""API views of cover letters and their comments."""

from django.shortcuts import get_object_or_404
from rest_framework import exceptions, generics, permissions

from covers.filters import CoverFilterSet
from covers.models import Cover, CoverComment
from covers.serializers import CoverCommentSerializer, CoverDetailSerializer, CoverListSerializer
from covers.services import can_update_cover_comment, update_cover_comment
from patchwork_api.api.metadata import described
from patchwork_api.api.routing import SinceVersionMixin


class CoverList(generics.ListAPIView):
    """List cover letters."""

    serializer_class = CoverListSerializer
    filterset_class = CoverFilterSet
    ordering_fields = ("id", "name", "date", "submitter")
    ordering = ("id",)

    def get_queryset(self):
        return Cover.objects.for_api()


class CoverDetail(generics.RetrieveAPIView):
    """Show a cover letter."""

    serializer_class = CoverDetailSerializer

    def get_queryset(self):
        return Cover.objects.for_api(detail=True)


class CoverCommentPermission(permissions.BasePermission):
    """Anyone may read; changing a comment is for those Patchwork allows (403 otherwise,
    anonymous users included, as Patchwork answers)."""

    def has_object_permission(self, request, view, comment: CoverComment) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not can_update_cover_comment(request.user, comment):
            raise exceptions.PermissionDenied("You do not have permission to update this comment.")
        return True


class CoverCommentMixin(SinceVersionMixin):
    serializer_class = CoverCommentSerializer

    def get_queryset(self):
        cover = get_object_or_404(Cover.objects.only("id"), pk=self.kwargs["cover_id"])
        return CoverComment.objects.for_api().filter(cover=cover)


class CoverCommentList(CoverCommentMixin, generics.ListAPIView):
    """List the comments of a cover letter (API 1.1+)."""

    # the OPTIONS description (and name) Patchwork answers
    description = "List cover comments"

    first_version = (1, 1)
    ordering_fields = ("id", "date", "submitter")
    ordering = ("id",)


class CoverCommentDetail(CoverCommentMixin, generics.RetrieveUpdateAPIView):
    """Show a cover letter comment, or mark it addressed (API 1.3+)."""

    # the OPTIONS description (and name) Patchwork answers
    description = described(
        get="Show a cover comment.", patch="Update a cover comment.", put="Update a cover comment."
    )

    first_version = (1, 3)
    permission_classes = (CoverCommentPermission,)
    lookup_url_kwarg = "comment_id"

    def get_queryset(self):
        return super().get_queryset().select_related("cover__submitter")

    def perform_update(self, serializer):
        comment = serializer.instance
        addressed = serializer.validated_data.get("addressed", comment.addressed)
        serializer.instance = update_cover_comment(comment, addressed=addressed)
