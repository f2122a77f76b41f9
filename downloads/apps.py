"""App configuration for downloads."""

from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "downloads"
