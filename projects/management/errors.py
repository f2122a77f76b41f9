"""Turning a service's ValidationError into the CommandError a command reports."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def command_error(error: ValidationError) -> CommandError:
    """A CommandError listing every message, each prefixed by the field it concerns."""
    if hasattr(error, "error_dict"):
        lines = [
            f"{field_name}: {message}" if field_name != "__all__" else message
            for field_name, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        lines = error.messages
    return CommandError("; ".join(lines))
