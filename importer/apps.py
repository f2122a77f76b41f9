"""App configuration for the Patchwork importer."""

from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "importer"
