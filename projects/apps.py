"""App configuration for projects."""

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
