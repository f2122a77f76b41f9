"""Error responses: always JSON with a ``detail`` field, never an HTML page or a 500."""

import logging

from django.http import JsonResponse
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("patchwork.api")


def exception_handler(exc, context):
    """DRF's handler; what it does not know becomes a logged 500 with a JSON body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error in %s", context.get("view"), exc_info=exc)
    return response


def not_found(request, exception=None) -> JsonResponse:
    """Django's 404 handler: JSON for everyone (API clients parse the body)."""
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)
