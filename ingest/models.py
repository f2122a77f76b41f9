"""Quarantine of mail that could not be ingested, kept with its error for a retry."""

from django.db import models
from django.utils import timezone


class FailedMail(models.Model):
    received = models.DateTimeField(default=timezone.now)
    msgid = models.CharField(max_length=255, blank=True, default="")
    list_id = models.CharField(max_length=255, blank=True, default="")
    error = models.TextField()
    raw = models.BinaryField()
    attempts = models.PositiveIntegerField(default=1)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"failed mail {self.msgid or self.pk}: {self.error[:60]}"
