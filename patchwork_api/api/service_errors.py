"""Turning the exceptions of write services into API error responses.

Services raise Django's exceptions (so that XML-RPC and management commands can use them
too): ``ValidationError`` becomes a 400 with a message per field (or ``detail``),
``PermissionDenied`` a 403 (DRF's handler does that already), and a subclass of
:class:`ServiceConflict` a 409.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status


class ServiceConflict(Exception):
    """A write that contradicts the current state of the data (HTTP 409)."""


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def validation_error_detail(error: DjangoValidationError) -> dict[str, list[str] | str]:
    """``{"field": ["message", ...]}`` for field errors, ``{"detail": "..."}`` otherwise."""
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"detail": " ".join(error.messages)}


@contextmanager
def service_errors() -> Iterator[None]:
    """Run a service call, translating its validation errors and conflicts."""
    try:
        yield
    except DjangoValidationError as error:
        raise exceptions.ValidationError(validation_error_detail(error)) from error
    except ServiceConflict as error:
        raise ConflictError(str(error) or None) from error
