"""App configuration for patches."""

from django.apps import AppConfig


class PatchesConfig(AppConfig):
    name = "patches"
