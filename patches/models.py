"""State, Tag, Patch (with its tags, relations and comments) and Check models."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from patches.querysets import CheckQuerySet, PatchCommentQuerySet, PatchQuerySet


class State(models.Model):
    """A patch state; ids are stable because bots hard-code them."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    ordering = models.IntegerField(unique=True)
    action_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["ordering"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A review trailer counted on patches, such as ``Acked-by``."""

    name = models.CharField(max_length=20, unique=True)
    pattern = models.CharField(
        max_length=50,
        help_text="Regular expression matched against each line of patch and comment "
        "content, e.g. ^Acked-by:",
    )
    abbrev = models.CharField(max_length=2, unique=True)
    show_column = models.BooleanField(default=True)

    class Meta:
        ordering = ["abbrev"]

    def __str__(self) -> str:
        return self.name


class PatchRelation(models.Model):
    """A group of patches that are related to each other (API 1.2 ``related``)."""

    def __str__(self) -> str:
        return f"relation {self.pk}"


class Patch(models.Model):
    msgid = models.CharField(max_length=255)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="patches"
    )
    name = models.CharField(max_length=255)
    date = models.DateTimeField(default=timezone.now)
    submitter = models.ForeignKey("people.Person", on_delete=models.CASCADE)
    headers = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, null=True)
    diff = models.TextField(blank=True, null=True)
    pull_url = models.CharField(max_length=255, blank=True, null=True)
    commit_ref = models.CharField(max_length=255, blank=True, null=True)
    hash = models.CharField(max_length=40, blank=True, null=True)
    state = models.ForeignKey(State, on_delete=models.PROTECT, null=True)
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="delegated_patches",
        blank=True,
        null=True,
    )
    archived = models.BooleanField(default=False)
    related = models.ForeignKey(
        PatchRelation,
        on_delete=models.SET_NULL,
        related_name="patches",
        blank=True,
        null=True,
    )
    series = models.ForeignKey(
        "series.Series",
        on_delete=models.SET_NULL,
        related_name="patches",
        blank=True,
        null=True,
    )
    number = models.PositiveSmallIntegerField(
        blank=True, null=True, help_text="Position of the patch in its series"
    )
    tags = models.ManyToManyField(Tag, through="PatchTag", blank=True)
    # Bumped on state, delegate, archive, comment and check changes (the
    # ``updated_since`` filter); ``date`` stays the mail's date.
    updated = models.DateTimeField(default=timezone.now)

    objects = PatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "patches"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["msgid", "project"], name="patch_msgid_project_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "archived", "state", "date"], name="patch_list_idx"),
            # The API's default patch list order (id) under its usual filters, so a page
            # is read from the index instead of walking every archived patch (bench/).
            models.Index(fields=["project", "archived", "state", "id"], name="patch_list_id_idx"),
            models.Index(fields=["project", "date"], name="patch_project_date_idx"),
            models.Index(fields=["submitter", "date"], name="patch_submitter_idx"),
            models.Index(fields=["delegate", "date"], name="patch_delegate_idx"),
            models.Index(fields=["series", "number"], name="patch_series_idx"),
            models.Index(fields=["msgid"], name="patch_msgid_idx"),
            models.Index(fields=["hash"], name="patch_hash_idx"),
            models.Index(fields=["updated"], name="patch_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class PatchTag(models.Model):
    patch = models.ForeignKey(Patch, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patch", "tag"], name="patchtag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tag_id}x{self.count} on {self.patch_id}"


class PatchComment(models.Model):
    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="comments")
    msgid = models.CharField(max_length=255)
    date = models.DateTimeField(default=timezone.now)
    submitter = models.ForeignKey("people.Person", on_delete=models.CASCADE)
    headers = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, null=True)
    addressed = models.BooleanField(null=True, default=None)

    objects = PatchCommentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["msgid", "patch"], name="patchcomment_msgid_unique"),
        ]
        indexes = [models.Index(fields=["patch", "date"], name="patchcomment_patch_date_idx")]

    def __str__(self) -> str:
        return f"comment {self.msgid} on {self.patch_id}"


class Check(models.Model):
    class State(models.IntegerChoices):
        PENDING = 0, "pending"
        SUCCESS = 1, "success"
        WARNING = 2, "warning"
        FAIL = 3, "fail"

    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    date = models.DateTimeField(default=timezone.now)
    state = models.SmallIntegerField(choices=State.choices, default=State.PENDING)
    target_url = models.URLField(blank=True, null=True)
    description = models.TextField(blank=True, null=True)
    context = models.SlugField(max_length=255, default="default")

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["patch", "context", "date"], name="check_patch_idx")]

    def __str__(self) -> str:
        return f"{self.context}: {self.get_state_display()}"
