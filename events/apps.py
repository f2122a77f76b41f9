"""App configuration for events."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
