"""App configuration for webhooks (README "Webhooks")."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
