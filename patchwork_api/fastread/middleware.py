"""The compiled read path answered before the middleware it does not need.

A plain JSON read served by the fast path uses no session, user, CSRF token, message or
static file: ``FastReadMiddleware`` (after the request guards and the security headers)
resolves the URL and, when the view is a fast view that answers, returns its response
with what the skipped middleware would have added to it (``Content-Length`` from
CommonMiddleware, ``X-Frame-Options`` from XFrameOptionsMiddleware). Anything else, and
a request the fast path declines, goes down the whole chain as before: the view then
hands it to DRF without trying again. tests/api/test_fastread.py compares every header
with DRF's answer through the whole chain.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from patchwork_api.fastread.views import DECLINED_BY_MIDDLEWARE
from patchwork_api.middleware import is_query_cancelled, statement_timeout_response

# where the fast views are (patchwork_api/urls.py): other pages are not resolved twice
API_PREFIX = "/api/"


class FastReadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        respond = fast_responder(request)
        if respond is None:
            return self.get_response(request)
        try:
            response = respond(request, request.resolver_match.kwargs)
        except Exception as error:
            # what InputGuardMiddleware.process_exception does for a view's query
            if is_query_cancelled(error):
                return statement_timeout_response(request)
            raise
        if response is None:
            setattr(request, DECLINED_BY_MIDDLEWARE, True)
            return self.get_response(request)
        response["Content-Length"] = str(len(response.content))
        frame_options = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        response.setdefault("X-Frame-Options", frame_options)
        return response


def fast_responder(request: HttpRequest) -> Callable | None:
    """The fast view's ``respond`` of a GET whose URL resolves to one, else None."""
    if request.method != "GET" or not request.path_info.startswith(API_PREFIX):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    respond = getattr(match.func, "respond", None)
    if respond is not None:
        request.resolver_match = match
    return respond
