"""The Event model: one row per thing that happened, with what it concerns."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from events.querysets import EventQuerySet


class Event(models.Model):
    class Category(models.TextChoices):
        COVER_CREATED = "cover-created"
        PATCH_CREATED = "patch-created"
        PATCH_COMPLETED = "patch-completed"
        PATCH_STATE_CHANGED = "patch-state-changed"
        PATCH_DELEGATED = "patch-delegated"
        PATCH_RELATION_CHANGED = "patch-relation-changed"
        CHECK_CREATED = "check-created"
        SERIES_CREATED = "series-created"
        SERIES_COMPLETED = "series-completed"
        COVER_COMMENT_CREATED = "cover-comment-created"
        PATCH_COMMENT_CREATED = "patch-comment-created"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="events"
    )
    category = models.CharField(max_length=25, choices=Category.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
    )
    date = models.DateTimeField(default=timezone.now)

    patch = models.ForeignKey(
        "patches.Patch", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    series = models.ForeignKey(
        "series.Series", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    cover = models.ForeignKey(
        "covers.Cover", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    previous_state = models.ForeignKey(
        "patches.State", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    current_state = models.ForeignKey(
        "patches.State", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    previous_delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        blank=True,
        null=True,
    )
    current_delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        blank=True,
        null=True,
    )
    previous_relation = models.ForeignKey(
        "patches.PatchRelation",
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
    )
    current_relation = models.ForeignKey(
        "patches.PatchRelation",
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
    )
    created_check = models.ForeignKey(
        "patches.Check", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    cover_comment = models.ForeignKey(
        "covers.CoverComment", on_delete=models.CASCADE, related_name="+", blank=True, null=True
    )
    patch_comment = models.ForeignKey(
        "patches.PatchComment",
        on_delete=models.CASCADE,
        related_name="+",
        blank=True,
        null=True,
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["project", "date"], name="event_project_date_idx"),
            models.Index(fields=["date"], name="event_date_idx"),
            models.Index(fields=["category", "date"], name="event_category_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} at {self.date}"
