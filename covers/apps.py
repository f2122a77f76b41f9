"""App configuration for cover letters."""

from django.apps import AppConfig


class CoversConfig(AppConfig):
    name = "covers"
