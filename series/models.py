"""Series and SeriesReference models."""

from django.db import models
from django.utils import timezone

from series.querysets import SeriesQuerySet


class Series(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="series"
    )
    cover_letter = models.OneToOneField(
        "covers.Cover",
        on_delete=models.SET_NULL,
        related_name="series",
        blank=True,
        null=True,
    )
    name = models.CharField(max_length=255, blank=True, null=True)
    date = models.DateTimeField(default=timezone.now)
    submitter = models.ForeignKey("people.Person", on_delete=models.CASCADE)
    version = models.PositiveIntegerField(default=1)
    total = models.PositiveIntegerField(
        default=1, help_text="Number of patches announced by the k/N markers"
    )
    received_total = models.PositiveIntegerField(
        default=0, help_text="Number of patches of the series received so far"
    )
    dependencies = models.ManyToManyField(
        "self", symmetrical=False, related_name="dependents", blank=True
    )
    updated = models.DateTimeField(default=timezone.now)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "series"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["project", "date"], name="series_project_date_idx"),
            models.Index(fields=["submitter", "date"], name="series_submitter_idx"),
            models.Index(fields=["updated"], name="series_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name or f"series {self.pk}"

    @property
    def received_all(self) -> bool:
        return self.received_total >= self.total


class SeriesReference(models.Model):
    """A Message-ID known to belong to a series (its mails and what they reference)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE)
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="references")
    msgid = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "msgid"], name="seriesreference_project_msgid_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.msgid
