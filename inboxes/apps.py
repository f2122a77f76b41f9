"""App configuration for following public-inbox archives (README "Following a
public-inbox archive")."""

from django.apps import AppConfig


class InboxesConfig(AppConfig):
    name = "inboxes"
