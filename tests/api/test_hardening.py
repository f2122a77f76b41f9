"""Hostile input never gives a 500 (issue 12): digits ``int()`` refuses, NUL characters,
lone surrogates, deep JSON, huge page numbers and bodies, many search words, bad URL
formats and mails with thousands of headers. Each answer is a 4xx JSON body or the
usual (possibly empty) list; runs on SQLite and PostgreSQL."""

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse

from patches.models import Patch
from patchwork_api import limits
from projects.models import Project
from tests.api.conftest import api_path
from tests.api.schema import validate_response
from tests.factories import (
    BundleFactory,
    CoverFactory,
    EventFactory,
    PatchFactory,
    ProjectFactory,
    TokenFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Python calls these digits, but int() refuses them.
UNCONVERTIBLE_DIGITS = ["²", "①", "12²", "⁵"]
LIST_ROUTES = [
    "api-project-list",
    "api-person-list",
    "api-user-list",
    "api-patch-list",
    "api-cover-list",
    "api-series-list",
    "api-bundle-list",
    "api-event-list",
]
FILTERS = [
    "project",
    "submitter",
    "delegate",
    "state",
    "series",
    "user",
    "owner",
    "patch",
    "cover",
    "category",
    "archived",
    "hash",
    "msgid",
    "q",
    "since",
    "before",
    "order",
    "page",
    "per_page",
]


@pytest.fixture
def rows(project, maintainer):
    patch = PatchFactory(project=project, delegate=maintainer)
    CoverFactory(project=project)
    BundleFactory(owner=maintainer, project=project, public=True, patches=[patch])
    EventFactory(project=project, patch=patch)
    return patch


@pytest.mark.parametrize("value", UNCONVERTIBLE_DIGITS)
def test_unconvertible_digits_in_filters_list_nothing(client_as, maintainer, rows, value):
    """Regression (item 2): ``?project=²`` and the other filters given a character Python
    calls a digit but cannot convert gave a 500; they match nothing (or are ignored)."""
    client = client_as(maintainer)
    for route in LIST_ROUTES:
        for name in FILTERS:
            response = client.get(api_path(route, "1.3"), {name: value})
            assert response.status_code in (200, 404), (route, name, response.content)
            assert isinstance(response.json(), list | dict)


@pytest.mark.parametrize("value", UNCONVERTIBLE_DIGITS)
def test_unconvertible_digits_in_paths_are_404(api_client, rows, value):
    """Regression (item 2): ``/api/1.3/projects/²/`` was a 500."""
    response = api_client.get(f"/api/1.3/projects/{value}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Project matches the given query."}


@pytest.mark.parametrize("value", ["²", "①", " ²", "1²"])
def test_unconvertible_digits_in_writes_are_400(client_as, maintainer, rows, value):
    """Regression (item 2): ``{"state": "²"}``, a related patch or a bundle patch ``"²"``
    gave a 500; each is a 400 naming the field."""
    client = client_as(maintainer)
    patch_url = api_path("api-patch-detail", pk=rows.pk)
    for body, field in (
        ({"state": value}, "state"),
        ({"related": [value]}, "related"),
        ({"delegate": value}, "delegate"),
    ):
        response = client.patch(patch_url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()
    response = client.post(
        api_path("api-bundle-list"), {"name": "b", "patches": [value]}, format="json"
    )
    assert response.status_code == 400
    assert "patches" in response.json()
    response = client.post(
        api_path("api-check-list", patch_id=rows.pk),
        {"state": value, "context": "ci"},
        format="json",
    )
    assert response.status_code in (400, 403)


def test_ids_beyond_any_column_are_not_found(client_as, maintainer, rows):
    """Ids with more digits than the biggest id (5,000 digits overflowed ``int()``) are
    a 400 naming the field, not a 500."""
    client = client_as(maintainer)
    huge = "9" * 5000
    response = client.patch(
        api_path("api-patch-detail", pk=rows.pk), {"related": [huge]}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        api_path("api-bundle-list"), {"name": "b", "patches": [huge]}, format="json"
    )
    assert response.status_code == 400
    assert client.get(api_path("api-patch-list"), {"project": huge}).json() == []


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        basic("nul\x00user", "password"),
        basic("user", "pass\x00word"),
        "Token abc\x00def",
    ],
)
def test_nul_in_credentials_is_refused_not_a_500(api_client, rows, authorization):
    """Regression (item 3): on PostgreSQL a NUL byte in a Basic-auth user name gave a 500
    on every endpoint, unauthenticated; it is refused as any bad credential."""
    for path in (api_path("api-project-list"), api_path("api-patch-detail", pk=rows.pk)):
        response = api_client.get(path, HTTP_AUTHORIZATION=authorization)
        assert response.status_code in (401, 403), response.content
        assert "detail" in response.json()


def test_nul_in_a_path_is_404(api_client, rows):
    """A NUL character in any path (project link name, bundle name, Message-ID) is a
    404: no stored name has one, and PostgreSQL refused to compare with it (a 500)."""
    for path in (
        "/api/1.3/projects/a%00b/",
        "/project/a%00b/list/",
        f"/project/{rows.project.linkname}/patch/x%00y/",
        "/bundle/a%00/b/",
        f"/project/{rows.project.linkname}/patch/x%2500y/",
        f"/project/{rows.project.linkname}/patch/x%2500y/mbox/",
        f"/project/{rows.project.linkname}/cover/x%2500y/",
    ):
        response = api_client.get(path)
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "url_format",
    [
        "https://x/{}{",
        "https://x/{:>2000000}",
        "https://x/{0}",
        "https://x/{name}",
        "https://x/{}/{}",
        "https://x/{!r}",
        "https://x/}{}",
    ],
)
def test_url_formats_must_be_one_plain_placeholder(client_as, maintainer, project, url_format):
    """Regression (item 4): a maintainer could store a format that broke every list of the
    project's patches (``{}{``: a 500) or made each link 2 MB (``{:>2000000}``)."""
    client = client_as(maintainer)
    url = api_path("api-project-detail", pk=project.pk)
    for field in ("list_archive_url_format", "commit_url_format"):
        response = client.patch(url, {field: url_format}, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
    project.refresh_from_db()
    assert project.list_archive_url_format == ""


def test_url_format_with_one_placeholder_is_accepted(client_as, maintainer, project):
    """A format with one ``{}`` is stored and filled with the bare Message-ID."""
    client = client_as(maintainer)
    url = api_path("api-project-detail", pk=project.pk)
    response = client.patch(
        url, {"list_archive_url_format": "https://lore.example.org/r/{}"}, format="json"
    )
    assert response.status_code == 200, response.content
    patch = PatchFactory(project=project, msgid="<a@b>")
    body = client.get(api_path("api-patch-detail", pk=patch.pk)).json()
    assert body["list_archive_url"] == "https://lore.example.org/r/a@b"


def test_stored_invalid_url_format_does_not_break_lists(api_client, project):
    """A format stored before formats were checked (an import from Patchwork, the admin)
    gives no archive link instead of a 500 on every list showing the project's patches."""
    Project.objects.filter(pk=project.pk).update(list_archive_url_format="https://x/{}{")
    patch = PatchFactory(project=project)
    for path in (api_path("api-patch-list"), api_path("api-patch-detail", pk=patch.pk)):
        response = api_client.get(path)
        assert response.status_code == 200
        validate_response(response)
    body = api_client.get(api_path("api-patch-detail", pk=patch.pk)).json()
    assert body["list_archive_url"] is None


@pytest.mark.parametrize("route", ["api-project-list", "api-person-list", "api-user-list"])
@pytest.mark.parametrize("words", [limits.MAX_SEARCH_WORDS + 1, 1001, 2000])
def test_searches_beyond_the_word_limit_are_400(client_as, user, rows, route, words):
    """Regression (item 5): a search of ~1,000 words cost seconds of CPU, and 1,001+
    words gave a 500 on SQLite (expression tree too deep)."""
    response = client_as(user).get(api_path(route), {"q": " ".join(["ab"] * words)})
    assert response.status_code == 400
    assert str(limits.MAX_SEARCH_WORDS) in response.json()["detail"]


def test_searches_within_the_word_limit_filter(api_client, project):
    """Up to ``MAX_SEARCH_WORDS`` words every word must match, as before."""
    PatchFactory(project=project, name="alpha beta gamma")
    PatchFactory(project=project, name="alpha delta")
    words = " ".join(["alpha"] * (limits.MAX_SEARCH_WORDS - 1) + ["beta"])
    response = api_client.get(api_path("api-patch-list"), {"q": words})
    assert response.status_code == 200
    assert [patch["name"] for patch in response.json()] == ["alpha beta gamma"]


def test_repeated_filter_values_beyond_the_limit_are_400(api_client, rows):
    """``state=a&state=b...`` past ``MAX_FILTER_VALUES`` values is a 400 (each value is
    one more condition; 1,001 overflowed SQLite's expression depth)."""
    values = [f"s{index}" for index in range(limits.MAX_FILTER_VALUES + 1)]
    response = api_client.get(api_path("api-patch-list"), {"state": values})
    assert response.status_code == 400
    response = api_client.get(
        api_path("api-patch-list"), {"state": values[: limits.MAX_FILTER_VALUES]}
    )
    assert response.status_code == 200


def nested(depth: int) -> str:
    return '{"state": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_deeply_nested_json_is_400(client_as, maintainer, rows, depth):
    """Regression (item 7): JSON nested 1,000+ levels deep was a RecursionError (500)."""
    response = client_as(maintainer).patch(
        api_path("api-patch-detail", pk=rows.pk), nested(depth), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    "body",
    [
        '{"state": "\\ud800"}',
        '{"state": "new", "\\udfff": 1}',
        '{"commit_ref": "a\\udc80b"}',
    ],
)
def test_lone_surrogates_in_json_are_400(client_as, maintainer, rows, body):
    """Regression (item 7): a lone surrogate in ``state`` gave a 500 while the 400 that
    echoed it was being rendered."""
    response = client_as(maintainer).patch(
        api_path("api-patch-detail", pk=rows.pk), body, content_type="application/json"
    )
    assert response.status_code == 400
    json.loads(response.content)


def test_nul_in_json_strings_is_400(client_as, maintainer, rows):
    """NUL characters in string fields are refused by their field (PostgreSQL cannot
    store them)."""
    client = client_as(maintainer)
    for body in ({"state": "\x00"}, {"commit_ref": "a\x00"}, {"delegate": "a\x00"}):
        response = client.patch(api_path("api-patch-detail", pk=rows.pk), body, format="json")
        assert response.status_code == 400, (body, response.content)


@pytest.mark.parametrize("page", ["307445734561825862", "9" * 30, "²", "-1", "0"])
def test_event_pages_far_past_the_counted_rows_are_404(api_client, project, page, monkeypatch):
    """Regression (item 7): events ``?page=307445734561825862`` past the counted rows
    overflowed the OFFSET (a 500). Pages beyond ``MAX_UNCOUNTED_OFFSET`` are 404s."""
    from events.pagination import BoundedCountPaginator

    EventFactory.create_batch(3, project=project)
    # what more than 10,000 events do, with three
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 1)
    response = api_client.get(api_path("api-event-list"), {"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_body_over_the_limit_is_a_json_400(client_as, maintainer, rows):
    """Regression (item 7): a body over 2.5 MB gave Django's HTML 400 page."""
    client = Client(raise_request_exception=False)
    client.force_login(maintainer)
    token = TokenFactory(user=maintainer)
    body = json.dumps({"commit_ref": "x" * (limits.MAX_REQUEST_BODY_BYTES + 10)})
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        response = client.patch(
            api_path("api-patch-detail", pk=rows.pk),
            body,
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
        assert response.status_code == 400, response.content[:200]
        assert response["Content-Type"] == "application/json"
        assert "larger than" in response.json()["detail"]


def test_headers_beyond_the_limit_are_left_out(api_client, project):
    """Regression (item 1): rendering a mail's headers cost time quadratic in their
    number (10,000 headers: 6 s per request; 40,000: the worker was killed). Reading
    is now linear and stops after ``MAX_RENDERED_HEADERS`` headers."""
    count = limits.MAX_RENDERED_HEADERS + 40_000
    headers = "".join(f"X-Header-{index}: value {index}\n" for index in range(count))
    patch = PatchFactory(project=project, headers="Subject: s\nReceived: a\n" + headers)
    response = api_client.get(api_path("api-patch-detail", pk=patch.pk))
    assert response.status_code == 200
    rendered = response.json()["headers"]
    assert len(rendered) == limits.MAX_RENDERED_HEADERS
    assert rendered["Subject"] == "s"
    assert f"X-Header-{limits.MAX_RENDERED_HEADERS - 3}" in rendered
    assert f"X-Header-{limits.MAX_RENDERED_HEADERS - 2}" not in rendered


def test_headers_repeated_in_any_case_are_grouped(api_client, project):
    """Patchwork's grouping is kept: a name lists every value of that name in any case,
    under each spelling, in order; folded lines stay one header."""
    patch = PatchFactory(
        project=project,
        headers="Received: a\nX-One: 1\nreceived: b\n c\nReceived: d\n",
    )
    rendered = api_client.get(api_path("api-patch-detail", pk=patch.pk)).json()["headers"]
    assert rendered["Received"] == ["a", "b\n c", "d"]
    assert rendered["received"] == ["a", "b\n c", "d"]
    assert rendered["X-One"] == "1"


def test_unhandled_errors_in_api_views_are_logged_json_500(client_as, rows, caplog, monkeypatch):
    """An unexpected exception in an API view is a JSON 500 and a logged traceback."""

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Patch.objects, "for_api", broken)
    # the compiled read path (patchwork_api/fastread) starts from Patch.objects.all()
    monkeypatch.setattr(Patch.objects, "all", broken)
    client = Client(raise_request_exception=False)
    response = client.get(api_path("api-patch-list"))
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert any(record.exc_info for record in caplog.records if record.levelname == "ERROR")


def test_security_headers_on_api_and_browsable_api(api_client, rows):
    """Item 9: every answer carries a Content-Security-Policy, nosniff, a Referrer-Policy
    and frame denial; the browsable API's pages included."""
    for params in ({}, {"format": "api"}):
        response = api_client.get(api_path("api-patch-list"), params)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("name", ["state", "submitter", "delegate", "series", "q", "page"])
@pytest.mark.parametrize("value", ["\x00", "a\x00b", "²", "9" * 5000])
def test_web_list_odd_filter_values_never_fail(client, rows, name, value):
    """Regression (items 2 and 3): ``/project/x/list/?state=%00`` was a 500 with no log
    line, and a filter of digits int() refuses (``²``) a 500 too; such values are
    ignored or match nothing."""
    response = client.get(
        reverse("project-patch-list", kwargs={"linkname": rows.project.linkname}),
        {name: value},
    )
    assert response.status_code == 200


def test_errors_outside_api_views_are_logged(rows, caplog, monkeypatch):
    """Regression (item 8): an exception in a web page or download was a 500 with no log
    line (Django's own logger had no handler without DEBUG); it is logged with its
    traceback, and the answer is the JSON 500."""
    from web import listing

    def broken(*args, **kwargs):
        raise RuntimeError("boom in a web page")

    monkeypatch.setattr(listing, "paginate", broken)
    client = Client(raise_request_exception=False)
    response = client.get(
        reverse("project-patch-list", kwargs={"linkname": rows.project.linkname})
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    logged = [record for record in caplog.records if record.name == "django.request"]
    assert logged
    assert logged[0].exc_info[1].args == ("boom in a web page",)


def test_django_request_logger_writes_errors_without_debug():
    """The settings give Django's request and security loggers a handler (the default
    one only prints with DEBUG on)."""
    from django.conf import settings

    loggers = settings.LOGGING["loggers"]
    assert loggers["django.request"]["handlers"] == ["stderr"]
    assert loggers["django.security"]["handlers"] == ["stderr"]


def test_users_list_filters_never_fail_with_odd_values(client_as, rows):
    """Anonymous and authenticated lists of users take the same odd values."""
    user = UserFactory()
    for client in (client_as(None), client_as(user)):
        for value in ("\x00", "²", "9" * 40, "a" * (limits.MAX_FILTER_VALUE_LENGTH + 1)):
            response = client.get(api_path("api-patch-list"), {"delegate": value})
            assert response.status_code == 200
            assert response.json() == []


def test_project_of_another_project_is_unaffected(api_client):
    """Sanity: a normal project lookup by id and by link name still works."""
    project = ProjectFactory(linkname="12345")
    other = ProjectFactory()
    assert api_client.get(f"/api/1.3/projects/{other.pk}/").json()["id"] == other.pk
    assert api_client.get("/api/1.3/projects/12345/").json()["id"] == project.pk
