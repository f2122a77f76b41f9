"""Error responses: JSON with a ``detail`` field (never a 500 page), except the 404 of an
unrouted URL, which is Django's HTML page as in Patchwork."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from patchwork_api.middleware import is_query_cancelled, statement_timeout_response
from patchwork_api.validation import InvalidValue, LimitExceeded

logger = logging.getLogger("patchwork.api")


class InvalidInput(exceptions.APIException):
    """A 400 whose ``detail`` says which value or limit the request broke."""

    status_code = 400
    default_detail = "Invalid input."
    default_code = "invalid"


def exception_handler(exc, context):
    """DRF's handler; what it does not know becomes a logged 500 with a JSON body.

    A value beyond a limit (``patchwork_api.limits``) or that no field can hold is a 400;
    a query stopped by the request statement timeout a 503.
    """
    if isinstance(exc, LimitExceeded | InvalidValue):
        exc = InvalidInput(str(exc))
    elif is_query_cancelled(exc):
        return statement_timeout_response(context["request"])
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error in %s", context.get("view"), exc_info=exc)
    return response


def not_found(request, exception=None) -> HttpResponse:
    """Django's 404 handler: Django's HTML page (``text/html; charset=utf-8``), as
    Patchwork answers a URL it does not route (an unknown resource or API version, a
    route the requested version lacks, a non-numeric id). A view that finds no object
    answers DRF's JSON 404 instead."""
    return page_not_found(request, exception or Http404())


def server_error(request) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)


def bad_request(request, exception=None) -> JsonResponse:
    """Django's 400 handler (a body over ``MAX_REQUEST_BODY_BYTES``, too many fields, a
    refused Host header): JSON, as every other error."""
    if isinstance(exception, RequestDataTooBig):
        detail = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    elif isinstance(exception, TooManyFieldsSent):
        detail = "The request has too many fields."
    else:
        detail = "Bad request."
    return JsonResponse({"detail": detail}, status=400)


def permission_denied(request, exception=None) -> JsonResponse:
    """Django's 403 handler (e.g. a refused CSRF token outside DRF's views): JSON."""
    return JsonResponse({"detail": "Permission denied."}, status=403)
