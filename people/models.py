"""Person (anyone who sent mail) and UserProfile (settings of a registered user)."""

from django.conf import settings
from django.db import models


class Person(models.Model):
    email = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255, blank=True, null=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="people",
        blank=True,
        null=True,
    )

    class Meta:
        verbose_name_plural = "people"
        ordering = ["id"]

    def __str__(self) -> str:
        if self.name:
            return f"{self.name} <{self.email}>"
        return self.email


class UserProfile(models.Model):
    """Per-user settings exposed by API 1.2+ under ``settings``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    send_email = models.BooleanField(default=False)
    items_per_page = models.PositiveIntegerField(default=100)
    show_ids = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"profile of {self.user}"
