"""Where ``manage.py follow-inbox`` stopped in each epoch of each archive it follows."""

from django.db import models
from django.utils import timezone


class InboxEpoch(models.Model):
    # The archive as given on the command line (a resolved path, or a URL).
    source = models.CharField(max_length=2000)
    epoch = models.PositiveIntegerField()
    # The last commit whose message is stored (or was found to be a duplicate, dropped,
    # or quarantined), committed in the same transaction as that message.
    last_commit = models.CharField(max_length=64, blank=True, default="")
    messages = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "epoch"]
        constraints = [
            models.UniqueConstraint(fields=["source", "epoch"], name="inbox_epoch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} epoch {self.epoch} at {self.last_commit[:12] or 'start'}"
