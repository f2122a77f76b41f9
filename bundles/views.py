"""API views of bundles: readable by everyone they are visible to, writable (API 1.2+)
by their owner only."""

from rest_framework import exceptions, generics, permissions

from bundles import services
from bundles.filters import BundleFilterSet
from bundles.models import Bundle
from bundles.serializers import BundleSerializer
from patchwork_api.api.metadata import described
from patchwork_api.api.service_errors import service_errors
from patchwork_api.api.versioning import request_version

# The API version from which bundles can be created, changed and deleted.
WRITABLE_VERSION = (1, 2)


class BundlePermission(permissions.BasePermission):
    """Reading is open (the queryset hides other people's private bundles, so they
    answer 404). Writes need API 1.2+ (405 before), a signed-in user to create and the
    owner to change or delete: a 403 with DRF's texts, as Patchwork answers
    ("Authentication credentials were not provided." for anonymous users, "You do not
    have permission to perform this action." for others)."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request_version(request) < WRITABLE_VERSION:
            raise exceptions.MethodNotAllowed(request.method)
        return request.method != "POST" or request.user.is_authenticated

    def has_object_permission(self, request, view, bundle: Bundle) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_authenticated and bundle.owner_id == request.user.pk


class BundleMixin:
    serializer_class = BundleSerializer
    permission_classes = (BundlePermission,)

    def get_queryset(self):
        return Bundle.objects.visible_to(self.request.user).for_api()

    def reloaded(self, bundle: Bundle) -> Bundle:
        """The bundle as the API shows it (owner, project and patches prefetched)."""
        return Bundle.objects.for_api().get(pk=bundle.pk)


class BundleList(BundleMixin, generics.ListCreateAPIView):
    """List bundles, or create one (API 1.2+)."""

    # the OPTIONS description (and name) Patchwork answers
    description = "List or create bundles."

    filterset_class = BundleFilterSet
    ordering_fields = ("id", "name", "owner")
    ordering = ("id",)

    def perform_create(self, serializer):
        data = serializer.validated_data
        with service_errors():
            bundle = services.create_bundle(
                owner=self.request.user,
                name=data["name"],
                patches=data["patches"],
                public=data.get("public", False),
            )
        serializer.instance = self.reloaded(bundle)


class BundleDetail(BundleMixin, generics.RetrieveUpdateDestroyAPIView):
    """Show a bundle; change or delete it (API 1.2+, owner only)."""

    # the OPTIONS description (and name) Patchwork answers
    description = described(
        get="Show a bundle.",
        patch="Update a bundle.",
        put="Update a bundle.",
        delete="Delete a bundle.",
    )

    def perform_update(self, serializer):
        data = serializer.validated_data
        with service_errors():
            bundle = services.update_bundle(
                serializer.instance,
                name=data.get("name"),
                patches=data.get("patches"),
                public=data.get("public"),
            )
        serializer.instance = self.reloaded(bundle)

    def perform_destroy(self, instance: Bundle) -> None:
        services.delete_bundle(instance)
