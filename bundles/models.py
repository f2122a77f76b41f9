"""Bundle and its ordered membership table."""

from django.conf import settings
from django.db import models

from bundles.querysets import BundleQuerySet


class Bundle(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bundles"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="bundles"
    )
    name = models.CharField(max_length=50)
    patches = models.ManyToManyField("patches.Patch", through="BundlePatch")
    public = models.BooleanField(default=False)

    objects = BundleQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="bundle_owner_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BundlePatch(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE)
    patch = models.ForeignKey("patches.Patch", on_delete=models.CASCADE)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "patch"], name="bundlepatch_unique"),
        ]

    def __str__(self) -> str:
        return f"patch {self.patch_id} at {self.order} in bundle {self.bundle_id}"
