"""API views of webhooks: a signed-in user's own hooks (every hook for administrators),
and each hook's delivery log. Served on the unversioned ``/api/`` only."""

from rest_framework import generics, permissions
from rest_framework.exceptions import ValidationError

from patchwork_api.api.service_errors import service_errors
from webhooks import services
from webhooks.models import Delivery, Webhook
from webhooks.serializers import DeliverySerializer, WebhookSerializer


class WebhookMixin:
    serializer_class = WebhookSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = ()

    def get_queryset(self):
        return (
            services.visible_to(self.request.user)
            .select_related("owner", "project")
            .order_by("id")
        )


class WebhookList(WebhookMixin, generics.ListCreateAPIView):
    """List your webhooks, or register one (maintainers of its project, administrators)."""

    def perform_create(self, serializer):
        data = serializer.validated_data
        with service_errors():
            hook = services.create_webhook(
                owner=self.request.user,
                target=data["target"],
                project=data.get("project"),
                categories=data.get("categories"),
                secret=data.get("secret"),
                enabled=data.get("enabled", True),
            )
        serializer.instance = hook
        serializer.context["show_secret"] = not data.get("secret")


class WebhookDetail(WebhookMixin, generics.RetrieveUpdateDestroyAPIView):
    """Show, change (``target``, ``categories``, ``secret``, ``enabled``) or remove a hook."""

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "project" in data and data["project"] != serializer.instance.project:
            raise ValidationError({"project": ["The project of a webhook cannot change."]})
        with service_errors():
            serializer.instance = services.update_webhook(
                serializer.instance,
                actor=self.request.user,
                target=data.get("target"),
                categories=data.get("categories"),
                secret=data.get("secret"),
                enabled=data.get("enabled"),
            )

    def perform_destroy(self, instance: Webhook) -> None:
        with service_errors():
            services.delete_webhook(instance, actor=self.request.user)


class DeliveryList(generics.ListAPIView):
    """The delivery log of a hook, newest first: status, attempts and their answers."""

    serializer_class = DeliverySerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = ()

    def get_queryset(self):
        hook = generics.get_object_or_404(
            services.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        return Delivery.objects.filter(webhook=hook).prefetch_related("log").order_by("-id")
