"""People and user endpoints; both need an authenticated user, as in Patchwork."""

from rest_framework import permissions
from rest_framework.generics import ListAPIView, RetrieveAPIView, RetrieveUpdateAPIView

from patchwork_api.api.filters import FilterBackend, OrderFilter
from patchwork_api.api.metadata import described
from patchwork_api.api.service_errors import service_errors
from patchwork_api.api.versioning import request_version
from people.filters import PersonFilterSet, UserFilterSet
from people.querysets import people_for_api, users_for_api
from people.serializers import (
    SETTINGS_VERSION,
    PersonSerializer,
    UserDetailSerializer,
    UserSerializer,
)
from people.services import can_edit_user, update_own_account


class IsSelfOrReadOnly(permissions.BasePermission):
    """Users change their own account only."""

    def has_object_permission(self, request, view, user) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_edit_user(request.user, user)


class PersonList(ListAPIView):
    """List people (anyone who sent mail)."""

    # the OPTIONS description (and name) Patchwork answers
    description = "List users."

    serializer_class = PersonSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = PersonFilterSet
    filter_backends = [FilterBackend, OrderFilter]
    ordering_fields = ("id", "name", "email")
    ordering = "id"

    def get_queryset(self):
        return people_for_api()


class PersonDetail(RetrieveAPIView):
    """Show a person."""

    # the OPTIONS description (and name) Patchwork answers
    description = "Show a user."

    serializer_class = PersonSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return people_for_api()


class UserList(ListAPIView):
    """List users."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = UserFilterSet
    filter_backends = [FilterBackend, OrderFilter]
    ordering_fields = ("id", "username", "email")
    ordering = "id"

    def get_queryset(self):
        return users_for_api()


class UserDetail(RetrieveUpdateAPIView):
    """
    get:
    Show a user.

    patch:
    Update your own user (names; from 1.2 your settings).

    put:
    Update your own user (names; from 1.2 your settings).
    """

    # the OPTIONS description (and name) Patchwork answers
    description = described(get="Show a user.", patch="Update a user.", put="Update a user.")

    serializer_class = UserDetailSerializer
    permission_classes = [permissions.IsAuthenticated, IsSelfOrReadOnly]
    filter_backends = []

    def get_queryset(self):
        return users_for_api(detail=True)

    def perform_update(self, serializer) -> None:
        changes = dict(serializer.validated_data)
        settings = changes.pop("profile", None)
        if request_version(self.request) < SETTINGS_VERSION:
            # as Patchwork: validated (and required by PUT) but not applied before 1.2
            settings = None
        with service_errors():
            serializer.instance = update_own_account(
                serializer.instance, actor=self.request.user, names=changes, settings=settings
            )
        # the response must show the settings just saved, not the cached profile
        serializer.instance.refresh_from_db()
