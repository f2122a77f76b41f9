"""Project and delegation-rule models."""

from django.conf import settings
from django.core.validators import validate_slug
from django.db import models


class Project(models.Model):
    linkname = models.CharField(max_length=255, unique=True, validators=[validate_slug])
    name = models.CharField(max_length=255, unique=True)
    listid = models.CharField(max_length=255)
    listemail = models.CharField(max_length=200)
    subject_match = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Regex to match the subject against when several projects share a "
        "list; empty matches every mail on the list.",
    )
    web_url = models.CharField(max_length=2000, blank=True, default="")
    scm_url = models.CharField(max_length=2000, blank=True, default="")
    webscm_url = models.CharField(max_length=2000, blank=True, default="")
    list_archive_url = models.CharField(max_length=2000, blank=True, default="")
    list_archive_url_format = models.CharField(
        max_length=2000,
        blank=True,
        default="",
        help_text="URL of the list archive's Message-ID redirector; {} is replaced by "
        "the Message-ID.",
    )
    commit_url_format = models.CharField(
        max_length=2000,
        blank=True,
        default="",
        help_text="URL of a commit in the web SCM; {} is replaced by the commit id.",
    )
    maintainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="maintained_projects", blank=True
    )
    use_tags = models.BooleanField(default=True)
    send_notifications = models.BooleanField(default=False)
    show_dependencies = models.BooleanField(default=False)
    # Beyond Patchwork (unversioned API only): a new version of a series supersedes the
    # previous version's patches still awaiting action (triage.supersede).
    auto_supersede = models.BooleanField(default=False)

    class Meta:
        ordering = ["linkname"]
        constraints = [
            models.UniqueConstraint(
                fields=["listid", "subject_match"], name="project_listid_subject_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_maintainer(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return self.maintainers.filter(pk=user.pk).exists()


class DelegationRule(models.Model):
    """Delegate new patches touching a path to a user (highest priority first)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="delegation_rules")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    path = models.CharField(max_length=255, help_text="fnmatch-style pattern of a file path")
    priority = models.IntegerField(default=0)

    class Meta:
        ordering = ["-priority", "path"]
        constraints = [
            models.UniqueConstraint(fields=["path", "project"], name="delegation_path_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project.linkname}: {self.path} -> {self.user}"
