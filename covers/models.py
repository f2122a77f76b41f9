"""Cover letter and cover-letter comment models."""

from django.db import models
from django.utils import timezone

from covers.querysets import CoverCommentQuerySet, CoverQuerySet


class Cover(models.Model):
    msgid = models.CharField(max_length=255)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="covers"
    )
    name = models.CharField(max_length=255)
    date = models.DateTimeField(default=timezone.now)
    submitter = models.ForeignKey("people.Person", on_delete=models.CASCADE)
    headers = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, null=True)

    objects = CoverQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["msgid", "project"], name="cover_msgid_project_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "date"], name="cover_project_date_idx"),
            models.Index(fields=["submitter", "date"], name="cover_submitter_idx"),
            models.Index(fields=["msgid"], name="cover_msgid_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CoverComment(models.Model):
    cover = models.ForeignKey(Cover, on_delete=models.CASCADE, related_name="comments")
    msgid = models.CharField(max_length=255)
    date = models.DateTimeField(default=timezone.now)
    submitter = models.ForeignKey("people.Person", on_delete=models.CASCADE)
    headers = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, null=True)
    addressed = models.BooleanField(null=True, default=None)

    objects = CoverCommentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["msgid", "cover"], name="covercomment_msgid_unique"),
        ]
        indexes = [models.Index(fields=["cover", "date"], name="covercomment_cover_date_idx")]

    def __str__(self) -> str:
        return f"comment {self.msgid} on cover {self.cover_id}"
