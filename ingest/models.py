"""Quarantine of mail that could not be ingested, kept with its error for a retry."""

from django.db import models
from django.utils import timezone


class FailedMail(models.Model):
    """A mail that could not be stored, kept with the error of its last attempt.

    ``pending``: the error looked temporary (the database, a lock, a full disk); it is
    retried automatically (ingestd, the next successful parsemail, ``quarantine
    retry``). ``set aside``: a mail that breaks the parser or the store, or failed
    ``QUARANTINE_MAX_ATTEMPTS`` times; retried only by hand. ``resolved``: stored since.
    """

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SET_ASIDE = "set-aside", "set aside"
        RESOLVED = "resolved", "resolved"

    received = models.DateTimeField(default=timezone.now)
    msgid = models.CharField(max_length=255, blank=True, default="")
    list_id = models.CharField(max_length=255, blank=True, default="")
    error = models.TextField()
    raw = models.BinaryField()
    attempts = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SET_ASIDE)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["msgid", "state"], name="failedmail_msgid_idx")]

    def __str__(self) -> str:
        return f"failed mail {self.msgid or self.pk}: {self.error[:60]}"

    @property
    def resolved(self) -> bool:
        return self.state == self.State.RESOLVED


class UnattachedMail(models.Model):
    """A reply whose thread is not known (yet): waiting for its parent, or dropped.

    Patchwork drops a reply whose parent has not been stored. When mail arrives out of
    order (several ``parsemail`` processes, a shuffled archive) the parent may simply
    come later, so the reply waits here and becomes a comment when its parent is
    stored. Mails that are known to belong to no patch or cover letter (announcements,
    questions, replies to those) are kept as ``dropped`` rows so that their own replies
    are settled at once instead of waiting.
    """

    class Status(models.TextChoices):
        WAITING = "waiting"
        DROPPED = "dropped"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="unattached_mails"
    )
    msgid = models.CharField(max_length=255)
    # The direct parent (first In-Reply-To, else the last References entry).
    parent_msgid = models.CharField(max_length=255, blank=True, default="")
    # Every referenced Message-ID, closest first, one per line.
    references = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=255, blank=True, default="")
    received = models.DateTimeField(default=timezone.now)
    # What is needed to turn a waiting reply into a comment without the raw mail.
    date = models.DateTimeField(default=timezone.now)
    subject = models.TextField(blank=True, default="")
    sender_name = models.CharField(max_length=255, blank=True, default="")
    sender_email = models.CharField(max_length=255, blank=True, default="")
    headers = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, default="")
    addressed = models.BooleanField(null=True, default=None)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "msgid"], name="unattachedmail_project_msgid_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["project", "parent_msgid", "status"], name="unattached_parent_idx"
            ),
            models.Index(fields=["status", "received"], name="unattached_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.status} mail {self.msgid}"

    @property
    def reference_list(self) -> list[str]:
        return [line for line in self.references.splitlines() if line]
