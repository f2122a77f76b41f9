"""Site-wide request guards and response headers: what every page, API call and download
gets, whichever view serves it."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from patchwork_api.validation import is_storable_text

logger = logging.getLogger("patchwork.request")

# What HTML pages may load: files of this site only. No inline scripts or <style>
# elements anywhere; ``style-src-attr`` lets the browsable API's (DRF's) templates keep
# their few ``style="float: right"`` attributes, which cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class InputGuardMiddleware:
    """404 for a path holding a NUL character (no route, name or Message-ID can: PostgreSQL
    refuses them, so looking one up was a 500), and a 503 JSON answer with a log line for
    a query cancelled by the request statement timeout (``limits``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_storable_text(request.path):
            raise Http404("Not found.")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_query_cancelled(exception):
            return statement_timeout_response(request)
        return None


def is_query_cancelled(exception: BaseException) -> bool:
    """Whether a database error is PostgreSQL cancelling a statement (statement_timeout)."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    return getattr(cause, "sqlstate", None) == "57014"


def statement_timeout_response(request: HttpRequest) -> JsonResponse:
    logger.warning("request %s %s stopped by the statement timeout", request.method, request.path)
    return JsonResponse(
        {"detail": "The request took too long and was stopped; narrow it down and retry."},
        status=503,
        headers={"Retry-After": "60"},
    )


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` on every answer (JSON included: it costs nothing and
    protects a JSON body opened as a page). Django's SecurityMiddleware and
    XFrameOptionsMiddleware add nosniff, Referrer-Policy and frame denial."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
