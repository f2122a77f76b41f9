"""The compiled read path in front of a DRF view.

``fast_view(plan)`` is a view function for a URL pattern: a plain JSON GET it can answer
is served from tuples (``values_list``) rendered by the plan's compiled shape, with the
DRF view's own filters, ordering and paginator (so the same rows, Link and X-Total-Count);
everything else (writes, OPTIONS, the browsable API and other negotiated formats, a
session, credentials other than a valid token, parameters the endpoint does not know,
a missing object or page, anything orjson cannot write) goes to the DRF view unchanged.
Correctness never depends on the fast path's coverage: tests/api/test_fastread.py renders
every endpoint and version both ways and compares the bytes and headers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.views import APIView

from patchwork_api.api.versions import Version, parse_version
from patchwork_api.fastread.engine import Compiled, Context, Shape, compiled, json_bytes
from patchwork_api.fastread.filtering import VersionOnly, filter_rows
from patchwork_api.validation import LimitExceeded, is_id, is_storable_text

# Accept headers DRF's negotiation answers with JSON (its first renderer).
JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
PAGE_PARAMETERS = frozenset({"page", "per_page", "order"})
# set on a request the fast path declined in FastReadMiddleware: the view goes to DRF
DECLINED_BY_MIDDLEWARE = "_fastread_declined"


def every_row(version: Version, kwargs: dict, rows: QuerySet) -> QuerySet:
    """The ``rows`` of a plan whose endpoint shows every row."""
    return rows


class Decline(Exception):
    """The fast path does not serve this request: DRF does."""


# What makes the fast path hand a request to DRF, which answers it (a 404, a 400 for a
# limit, a value orjson cannot write): the DRF view runs as if the fast path were not there.
DECLINED = (
    Decline,
    Http404,
    exceptions.APIException,
    LimitExceeded,
    orjson.JSONEncodeError,
    UnicodeError,
)


@dataclass(frozen=True)
class ReadPlan:
    """How one endpoint is read: the DRF view (for everything else, and whose filters,
    ordering and paginator the fast path reuses), the shape, the rows and the objects
    that must exist (a patch for its checks)."""

    view: type[APIView]
    shape: Shape
    # (version, URL kwargs, rows) -> the rows the endpoint may show: a filter only (a
    # list's columns are fetched by key from the model's rows, ``page_rows``)
    rows: Callable[[Version, dict, QuerySet], QuerySet]
    detail: bool = False
    lookup: str = "pk"
    minimum_version: Version = (1, 0)
    # (model, URL kwarg): a parent that must exist, else DRF answers (404)
    parent: tuple[Any, str] | None = None
    parameters: frozenset[str] = field(default_factory=frozenset)
    # what the view's own filter_queryset adds after its filter backends (the patch
    # list's ranking of ``search`` results): (rows, query parameters) -> rows
    after_filters: Callable[[QuerySet, Any], QuerySet] | None = None


def allowed_parameters(plan: ReadPlan) -> frozenset[str]:
    filterset = getattr(plan.view, "filterset_class", None)
    names = set(filterset.base_filters) if filterset is not None else set()
    return frozenset(names | PAGE_PARAMETERS | plan.parameters)


def fast_view(plan: ReadPlan) -> Callable[..., HttpResponse]:
    """A view serving ``plan``'s plain JSON reads itself and the rest with DRF."""
    drf_view = plan.view.as_view()
    parameters = allowed_parameters(plan)
    allow = {
        unversioned: allow_header(plan.view, unversioned=unversioned)
        for unversioned in (False, True)
    }

    def respond(request: HttpRequest, kwargs: dict) -> HttpResponse | None:
        """The fast path's answer, or None when DRF answers."""
        if not servable(request, parameters):
            return None
        try:
            body, headers = serve(plan, request, kwargs)
        except DECLINED:
            return None
        response = HttpResponse(body, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        response["Allow"] = allow[kwargs.get("version") is None]
        patch_vary_headers(response, ("Accept",))
        # DRF's authentication reads the session (empty here): it says Vary: Cookie
        patch_vary_headers(response, ("Cookie",))
        return response

    @csrf_exempt
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # FastReadMiddleware tried already (and declined) unless the request came in
        # another way (a test's RequestFactory)
        if not getattr(request, DECLINED_BY_MIDDLEWARE, False):
            response = respond(request, kwargs)
            if response is not None:
                return response
        return drf_view(request, *args, **kwargs)

    view.respond = respond  # type: ignore[attr-defined]
    view.fast_plan = plan  # type: ignore[attr-defined]
    view.view_class = plan.view  # type: ignore[attr-defined]
    view.cls = plan.view  # type: ignore[attr-defined]
    view.initkwargs = {}  # type: ignore[attr-defined]
    return view


def allow_header(view_class: type[APIView], *, unversioned: bool) -> str:
    """The Allow header DRF sends: the view's methods, HEAD wherever GET is (as
    Django's ``View.setup`` adds it); some methods are only for the unversioned /api/."""
    instance = view_class()
    instance.request = VersionOnly(None if unversioned else "1.0", (1, 0))
    if hasattr(instance, "get") and not hasattr(instance, "head"):
        instance.head = instance.get
    return ", ".join(instance.allowed_methods)


def servable(request: HttpRequest, parameters: frozenset[str]) -> bool:
    """A plain JSON GET, anonymous or with a token, of parameters the endpoint knows."""
    if request.method != "GET" or not getattr(settings, "FAST_READS", True):
        return False
    if request.META.get("HTTP_ACCEPT", "").strip() not in JSON_ACCEPTS:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if not parameters.issuperset(request.GET.keys()):
        return False
    authorization = request.META.get("HTTP_AUTHORIZATION")
    return authorization is None or valid_token(request, authorization)


def valid_token(request: HttpRequest, authorization: str) -> bool:
    """Whether the header names the token of an active user (one query, once per
    request); anything else (Basic, a bad token) is for DRF's authentication to answer."""
    cached = getattr(request, "_fastread_token_ok", None)
    if cached is not None:
        return cached
    parts = authorization.split()
    ok = (
        len(parts) == 2
        and parts[0].lower() == "token"
        and is_storable_text(parts[1])
        and Token.objects.filter(key=parts[1], user__is_active=True).exists()
    )
    request._fastread_token_ok = ok  # type: ignore[attr-defined]
    return ok


def serve(plan: ReadPlan, request: HttpRequest, kwargs: dict) -> tuple[bytes, dict[str, str]]:
    version_text = kwargs.get("version")
    try:
        version = parse_version(version_text)
    except ValueError as error:
        raise Decline from error
    if version < plan.minimum_version:
        raise Decline
    if not all(is_id(value) for name, value in kwargs.items() if name != "version"):
        raise Decline  # an id no row can have (DRF answers the 404)
    origin = request.build_absolute_uri("/")[:-1]
    shape = compiled(plan.shape, version, version_text)
    context = Context(origin, version, version_text)
    if plan.detail:
        if plan.rows is every_row:
            found = shape.by_ids([kwargs[plan.lookup]])
        else:
            rows = plan.rows(version, kwargs, shape.rows()).filter(pk=kwargs[plan.lookup])
            found = list(rows[:1])
        if not found:
            raise Decline
        return json_bytes(shape.render(found, context)[0]), {}
    view = drf_view_for(plan, request, version, version_text, kwargs)
    every = plan.shape.model._default_manager.all()
    filtered = filter_rows(view, plan.rows(version, kwargs, every), version_text, version)
    if plan.after_filters is not None:
        filtered = plan.after_filters(filtered, view.request.query_params)
    paginator = view.paginator
    paginator.django_paginator_class = counting_paginator(
        type(paginator).django_paginator_class, filtered
    )
    page = paginator.paginate_queryset(page_rows(shape, filtered), view.request, view)
    if page is None or not (page or parent_exists(plan, kwargs)):
        raise Decline
    if shape.keyed:
        page = shape.in_order(page)
    headers = paginator.get_headers()
    return json_bytes(shape.render(page, context)), headers


def parent_exists(plan: ReadPlan, kwargs: dict) -> bool:
    """Whether the object whose rows a list shows (a patch's checks) exists: asked only
    of an empty page, as a row on the page is one of the parent's (and a detail's row
    is found through its parent), so that a missing parent is DRF's 404, not ``[]``."""
    if plan.parent is None:
        return True
    model, kwarg = plan.parent
    return model.objects.filter(pk=kwargs[kwarg]).exists()


def page_rows(shape: Compiled, filtered: QuerySet) -> QuerySet:
    """What the paginator slices: the keys of the rows when the shape's rows can be
    fetched by key (the page's columns then come from ``Compiled.in_order``, a query
    compiled and planned once), else the columns themselves. The page's keys are read
    from the table with the filters and order alone: planning one query of some forty
    joined columns per request cost PostgreSQL more than running it (3.8 ms against
    0.4 ms for a patch list page)."""
    if shape.keyed:
        return filtered.values_list("pk", flat=True)
    return filtered.values_list(*shape.columns)


_counting_classes: dict[type, type] = {}


def counting_paginator(base: type[Paginator], count_list: QuerySet) -> Callable[..., Paginator]:
    """``base``, counting ``count_list`` (the filtered rows without the page's joined
    columns: the COUNT that DRF's path runs) rather than the page's column query, and
    not counting at all when the first page holds every row (a poll of new events, the
    checks of a patch, a filtered list)."""
    paginator_class = _counting_classes.get(base)
    if paginator_class is None:
        base_count = base.count.func  # a cached_property

        class CountingPaginator(base):
            def __init__(self, object_list, *args, count_list=None, **kwargs):
                super().__init__(object_list, *args, **kwargs)
                self.count_list = count_list

            @cached_property
            def count(self) -> int:
                rows = self.object_list
                self.object_list = self.count_list
                try:
                    return base_count(self)
                finally:
                    self.object_list = rows

            def page(self, number) -> Page:
                if self.orphans == 0 and is_first_page(number):
                    self.object_list = self.first_rows()
                return super().page(number)

            def first_rows(self) -> list:
                """The first page's rows and one more: when they are no more than a
                page, they are all the rows, and their number is the count (one query
                instead of a COUNT and the page; the order ends with the key, so the
                page is the same as LIMIT per_page's)."""
                rows = list(self.object_list[: self.per_page + 1])
                if len(rows) <= self.per_page:
                    self.__dict__["count"] = len(rows)
                return rows

        paginator_class = _counting_classes[base] = CountingPaginator
    return functools.partial(paginator_class, count_list=count_list)


def is_first_page(number: object) -> bool:
    """Whether a page number, as the paginator would read it, is 1."""
    if isinstance(number, float) and not number.is_integer():
        return False
    try:
        return int(number) == 1  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def drf_view_for(
    plan: ReadPlan, request: HttpRequest, version: Version, version_text: str | None, kwargs
) -> APIView:
    """The DRF view, set up as its dispatch would (without authentication, negotiation
    and serializers), for its filter backends and paginator."""
    drf_request = Request(request)
    drf_request.version = version_text
    drf_request.api_version = version  # type: ignore[attr-defined]
    view = plan.view()
    view.request = drf_request
    view.args = ()
    view.kwargs = kwargs
    view.format_kwarg = None
    view.headers = {}
    return view
