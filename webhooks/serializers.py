"""API representation of webhooks and their delivery log (unversioned ``/api/`` only)."""

from rest_framework import serializers

from events.models import Event
from patchwork_api.api.serializers import ApiUrlField, EmbeddedRelatedField
from projects.models import Project
from projects.serializers import ProjectEmbeddedSerializer
from webhooks.models import Delivery, DeliveryAttempt, Webhook


class WebhookSerializer(serializers.ModelSerializer):
    """A hook; its ``secret`` is write-only, shown once in the answer that generated it."""

    url = ApiUrlField("api-webhook-detail")
    owner = serializers.CharField(source="owner.username", read_only=True)
    project = EmbeddedRelatedField(
        ProjectEmbeddedSerializer,
        queryset=Project.objects.all(),
        allow_null=True,
        required=False,
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.Category.values),
        required=False,
        max_length=len(Event.Category.values),
    )
    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=255
    )
    deliveries = ApiUrlField("api-webhook-deliveries")

    class Meta:
        model = Webhook
        fields = (
            "id",
            "url",
            "target",
            "project",
            "owner",
            "categories",
            "enabled",
            "consecutive_failures",
            "disabled_reason",
            "created",
            "deliveries",
            "secret",
        )
        read_only_fields = ("consecutive_failures", "disabled_reason", "created")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("show_secret"):
            data["secret"] = instance.secret
        return data


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ("date", "status_code", "error", "duration_ms")
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """A delivery of the hook's log, newest first, with each attempt."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    event = serializers.IntegerField(source="event_id", read_only=True, allow_null=True)
    log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = (
            "id",
            "event",
            "category",
            "status",
            "created",
            "attempts",
            "next_attempt",
            "delivered",
            "last_status_code",
            "last_error",
            "log",
        )
        read_only_fields = fields
