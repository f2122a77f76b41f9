"""ImportRun: the record of an import from Patchwork, which makes it resumable."""

from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One import from a Patchwork instance into this database.

    ``progress`` maps each source table to the last key imported: a batch of rows and
    the new ``progress`` are committed in one transaction, so a run that was stopped
    continues exactly after the last committed batch. A finished run makes a later
    import refuse (the database is no longer empty).
    """

    source = models.CharField(max_length=2000)
    schema = models.CharField(max_length=100, blank=True, default="")
    started = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(blank=True, null=True)
    merge = models.BooleanField(default=False)
    progress = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        state = "finished" if self.finished else "in progress"
        return f"import from {self.source} ({state})"
