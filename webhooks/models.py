"""Webhooks: HTTP endpoints told of every event of their categories, and the outbox of
their deliveries (one row per event and hook, written in the event's own transaction)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookQuerySet(models.QuerySet):
    def effective(self) -> "WebhookQuerySet":
        """Enabled hooks whose owner may still have them: an active account that
        administers the site or maintains the hook's project."""
        from projects.models import Project

        maintains = Project.maintainers.through.objects.filter(
            project_id=models.OuterRef("project_id"), user_id=models.OuterRef("owner_id")
        )
        return self.filter(enabled=True, owner__is_active=True).filter(
            models.Q(owner__is_superuser=True) | models.Exists(maintains)
        )


class Webhook(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    # None: the events of every project (administrators only).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="webhooks",
        blank=True,
        null=True,
    )
    target = models.URLField(max_length=2000)
    secret = models.CharField(max_length=255)
    # Event categories delivered; empty: every category.
    categories = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=255, blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    # The worker holding the hook (its deliveries go out one at a time, in order).
    lease_until = models.DateTimeField(blank=True, null=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} -> {self.target}"

    def wants(self, project_id: int, category: str) -> bool:
        return (self.project_id is None or self.project_id == project_id) and (
            not self.categories or category in self.categories
        )


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        # The event was removed before it could be delivered (series merged into another).
        CANCELLED = "cancelled"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        "events.Event", on_delete=models.SET_NULL, related_name="+", blank=True, null=True
    )
    # Sent as X-Patchwork-Delivery, the same on every attempt: receivers deduplicate by it.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.CharField(max_length=25)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(default=timezone.now)
    delivered = models.DateTimeField(blank=True, null=True)
    # The JSON sent, rendered at the first attempt and sent unchanged on every retry.
    body = models.TextField(blank=True, default="")
    last_status_code = models.IntegerField(blank=True, null=True)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["webhook", "status", "id"], name="delivery_hook_status_idx"),
            models.Index(fields=["status", "next_attempt"], name="delivery_status_next_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.uuid} ({self.status})"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: the delivery log its hook's owner reads."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    date = models.DateTimeField(default=timezone.now)
    status_code = models.IntegerField(blank=True, null=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"attempt of {self.delivery_id} at {self.date}"
