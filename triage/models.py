"""Why a patch was superseded automatically (the event itself has no actor)."""

from django.db import models


class Supersession(models.Model):
    """A patch-state-changed event made by automatic supersede, with its reason."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="supersession"
    )
    patch = models.ForeignKey("patches.Patch", on_delete=models.CASCADE, related_name="+")
    superseded_by = models.ForeignKey("series.Series", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=255)

    def __str__(self) -> str:
        return f"patch {self.patch_id}: {self.reason}"
