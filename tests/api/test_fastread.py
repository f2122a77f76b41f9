"""The compiled read path (patchwork_api/fastread) answers byte for byte as DRF does.

Every endpoint it serves is rendered in every API version, with a set of filters,
orderings, pages and identities, once through the fast path and once through DRF
(``FAST_READS = False``): the status, the body bytes and every header must be equal.
The fast path must also really serve those requests (not fall back), and in a constant
number of queries.
"""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.exceptions import APIException

from events.services import record_event
from patches.models import Check, PatchRelation, State
from patchwork_api.fastread.views import Decline, serve
from tests.api.conftest import API_VERSIONS
from tests.factories import (
    CheckFactory,
    CoverCommentFactory,
    CoverFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    TokenFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ODD_TEXT = 'naïve \u2028 line\u2029 \x01 "quoted" </script> ☃'


@pytest.fixture
def corpus():
    """Two projects with every kind of row and link the API shows."""
    project = ProjectFactory(
        linkname="linux",
        list_archive_url_format="https://lore.example.org/r/{}",
        commit_url_format="https://git.example.org/c/{}",
        show_dependencies=True,
    )
    other = ProjectFactory(linkname="other")
    maintainer = UserFactory(username="maint")
    person_without_name = PersonFactory(name="", email="anon@example.org")
    odd_person = PersonFactory(name=ODD_TEXT, email="odd@example.org")
    cover = CoverFactory(project=project, name="[PATCH 0/3] the cover", submitter=odd_person)
    series = SeriesFactory(project=project, cover_letter=cover, total=3, received_total=3)
    base_series = SeriesFactory(project=project, total=1, received_total=0, name=None)
    series.dependencies.add(base_series)
    # a project that does not show dependencies, with a series that has some
    other_series = SeriesFactory(project=other, total=2, received_total=1)
    other_series.dependencies.add(series)
    patches = [
        PatchFactory(
            project=project,
            series=series,
            number=number,
            name=f"[RFC,v2 {number}/3] change {number}",
            submitter=person_without_name if number == 2 else odd_person,
        )
        for number in (3, 1, 2)
    ]
    pull = PatchFactory(
        project=project,
        diff=None,
        hash=None,
        pull_url="git://example.org/pull",
        headers="Subject: [GIT PULL] x\nTo: a@example.org\nTo: b@example.org\n",
        msgid="<odd/msg id+x@example.org>",
        name=ODD_TEXT,
        delegate=maintainer,
        commit_ref="abc123",
    )
    archived = PatchFactory(
        project=project, archived=True, state=State.objects.get(slug="accepted"), content=None
    )
    relation = PatchRelation.objects.create()
    for patch in (patches[0], pull, archived):
        patch.related = relation
        patch.save()
    for number in range(40):
        PatchFactory(
            project=other, date=datetime.datetime(2023, 1, 1) + datetime.timedelta(number)
        )
    ci = UserFactory(username="ci")
    CheckFactory(patch=patches[0], user=ci, context="build", state=Check.State.SUCCESS)
    CheckFactory(patch=patches[0], user=ci, context="test", state=Check.State.FAIL)
    CheckFactory(patch=pull, user=ci, context="build", state=Check.State.WARNING)
    patch_comment = PatchCommentFactory(
        patch=patches[0], headers="Subject: Re: change\n folded\nX: y\n"
    )
    cover_comment = CoverCommentFactory(cover=cover)
    new = State.objects.get(slug="new")
    accepted = State.objects.get(slug="accepted")
    check = Check.objects.filter(patch=patches[0]).first()
    record_event("cover-created", cover=cover)
    record_event("patch-created", patch=patches[0])
    record_event("patch-completed", patch=patches[1], series=series)
    record_event(
        "patch-state-changed",
        patch=archived,
        previous_state=new,
        current_state=accepted,
        actor=maintainer,
    )
    record_event(
        "patch-delegated", patch=pull, previous_delegate=None, current_delegate=maintainer
    )
    record_event("patch-relation-changed", patch=pull, current_relation=relation)
    record_event("check-created", patch=patches[0], created_check=check)
    record_event("series-created", series=series)
    record_event("series-completed", series=series)
    record_event("cover-comment-created", cover=cover, cover_comment=cover_comment)
    record_event("patch-comment-created", patch=patches[0], patch_comment=patch_comment)
    return {
        "project": project,
        "patches": [*patches, pull, archived],
        "series": [series, base_series, other_series],
        "cover": cover,
        "maintainer": maintainer,
        "check": check,
        "patch_comment": patch_comment,
        "cover_comment": cover_comment,
    }


def requests_of(corpus) -> list[tuple[str, dict]]:
    """(path without /api/<version>/, query parameters) of every case compared."""
    patch_ids = [patch.pk for patch in corpus["patches"]]
    series_ids = [series.pk for series in corpus["series"]]
    cases: list[tuple[str, dict]] = [
        ("patches/", {}),
        ("patches/", {"project": "linux"}),
        ("patches/", {"project": "other", "page": "2"}),
        ("patches/", {"project": "other", "per_page": "7", "page": "3"}),
        ("patches/", {"state": "new", "archived": "false", "order": "-date"}),
        ("patches/", {"order": "submitter"}),
        ("patches/", {"order": "-delegate", "per_page": "5"}),
        ("patches/", {"q": "change", "series": str(series_ids[0])}),
        ("patches/", {"hash": "nothex"}),
        ("patches/", {"search": "change"}),  # ranked (unversioned API only)
        ("patches/", {"search": "change", "order": "-id"}),
        ("patches/", {"msgid": "odd/msg id+x@example.org"}),
        ("patches/", {"since": "2024-01-01T12:00", "delegate": "maint"}),
        ("patches", {"project": "1"}),
        ("covers/", {}),
        ("covers/", {"project": "linux", "order": "-id"}),
        ("series/", {}),
        ("series/", {"project": "linux", "per_page": "1", "page": "2"}),
        ("events/", {}),
        ("events/", {"category": "patch-state-changed"}),
        ("events/", {"project": "linux", "page": "2"}),
        ("events/", {"order": "date"}),
        (f"covers/{corpus['cover'].pk}/", {}),
        *[(f"patches/{patch_id}/", {}) for patch_id in patch_ids],
        *[(f"series/{series_id}/", {}) for series_id in series_ids],
        (f"patches/{patch_ids[0]}/checks/", {}),
        (f"patches/{patch_ids[0]}/checks/", {"state": "fail", "order": "-context"}),
        (f"patches/{patch_ids[0]}/checks/{corpus['check'].pk}/", {}),
        (f"patches/{patch_ids[1]}/checks/{corpus['check'].pk}/", {}),
        (f"patches/{patch_ids[0]}/comments/", {}),
        (f"patches/{patch_ids[0]}/comments/{corpus['patch_comment'].pk}/", {}),
        (f"covers/{corpus['cover'].pk}/comments/", {"order": "-date"}),
        (f"covers/{corpus['cover'].pk}/comments/{corpus['cover_comment'].pk}/", {}),
        ("patches/999999/checks/", {}),
        ("covers/999999/comments/", {}),
        ("patches/999999/", {}),
        ("patches/", {"page": "999"}),
        # the first page read with one row more (no COUNT when it holds every row):
        # page numbers as the paginator reads them, an empty list, a page that is
        # exactly full, "last"
        ("patches/", {"project": "linux", "page": "1"}),
        ("patches/", {"project": "linux", "page": "01"}),
        ("patches/", {"project": "linux", "page": "1.0"}),
        ("patches/", {"project": "linux", "page": "last"}),
        ("patches/", {"project": "linux", "q": "no such patch"}),
        ("patches/", {"project": "linux", "per_page": "5"}),
        ("patches/", {"project": "other", "per_page": "40"}),
        ("patches/", {"project": "other", "per_page": "39"}),
        ("events/", {"category": "patch-created", "page": "1"}),
    ]
    return cases


def get(client, path: str, params: dict, **extra):
    response = client.get(path, params, **extra)
    headers = dict(response.headers.items())
    return response.status_code, response.content, headers


def versioned(path: str, version: str | None) -> str:
    return f"/api/{version}/{path}" if version else f"/api/{path}"


@pytest.mark.parametrize("identity", ["anonymous", "token", "json-accept"])
def test_fast_path_answers_as_drf(api_client, corpus, settings, identity):
    extra = {}
    if identity == "token":
        extra["HTTP_AUTHORIZATION"] = f"Token {TokenFactory(user=corpus['maintainer']).key}"
    if identity == "json-accept":
        extra["HTTP_ACCEPT"] = "application/json"
    # every version anonymously; the other identities in the oldest and latest
    versions = API_VERSIONS if identity == "anonymous" else [None, "1.0"]
    for version in versions:
        for path, params in requests_of(corpus):
            url = versioned(path, version)
            settings.FAST_READS = True
            fast = get(api_client, url, params, **extra)
            settings.FAST_READS = False
            slow = get(api_client, url, params, **extra)
            assert fast[0] == slow[0], (url, params)
            assert fast[1] == slow[1], (url, params, fast[1], slow[1])
            assert fast[2] == slow[2], (url, params)


def fast_serves(url: str, params: dict) -> bool:
    """Whether the fast path answers the request itself (not DRF)."""
    request = RequestFactory().get(url, params)
    match = resolve(request.path)
    plan = match.func.fast_plan
    try:
        serve(plan, request, match.kwargs)
    except (Decline, APIException):
        return False
    return True


def test_fast_path_serves_the_common_reads(api_client, corpus):
    for version in API_VERSIONS:
        for path, params in requests_of(corpus):
            if api_client.get(versioned(path, version), params).status_code != 200:
                continue
            assert fast_serves(versioned(path, version), params), (path, params, version)


def test_fast_path_leaves_other_requests_to_drf(api_client, corpus):
    patch = corpus["patches"][0]
    browsable = api_client.get(f"/api/patches/{patch.pk}/", {"format": "api"})
    assert browsable["Content-Type"].startswith("text/html")
    html = api_client.get(f"/api/patches/{patch.pk}/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    options = api_client.options("/api/patches/")
    assert options.status_code == 200
    assert "name" in options.json()
    bad_token = api_client.get("/api/patches/", HTTP_AUTHORIZATION="Token nope")
    assert bad_token.status_code == 403  # DRF: session first, no challenge


@pytest.mark.parametrize(
    ("path", "one_page", "full_page"),
    [
        # the page's keys, its columns by key, latest checks, related patches; and the
        # count once the first page is full (a first page holding every row is the count;
        # the corpus has 40 patches of the other project: a full page from the start)
        ("patches/", 5, 5),
        ("patches/?project=linux", 5, 6),  # and the project's id by its linkname
        # the patch, its latest checks, its related patches
        ("patches/%(patch)d/", 3, 3),
        ("covers/", 2, 2),  # the page's keys, its columns by key (the covers stay few)
        ("series/", 5, 5),  # keys, columns, patches, dependencies, dependents
        ("series/%(series)d/", 4, 4),
        # keys, columns, one per kind of payload object on the page (seven kinds in the
        # corpus); a full page of patch-created events: count, keys, columns, patches
        ("events/", 9, 4),
    ],
)
def test_fast_path_queries_are_constant(api_client, corpus, path, one_page, full_page):
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(path)
        assert response.status_code == 200
        return len(captured)

    url = "/api/" + path % {"patch": corpus["patches"][0].pk, "series": corpus["series"][0].pk}
    assert count(url) == one_page
    for number in range(30):
        PatchFactory(project=corpus["project"], series=corpus["series"][1], number=number)
        record_event("patch-created", patch=corpus["patches"][number % 5])
    assert count(url) == full_page


def test_fast_answers_skip_the_middleware_they_do_not_need(api_client, corpus):
    """FastReadMiddleware answers a fast read before the session, authentication, CSRF
    and message middleware (the answer's headers are DRF's: the tests above); a request
    it declines goes down the whole chain once, to DRF."""
    patch = corpus["patches"][0]
    fast = api_client.get(f"/api/1.2/patches/{patch.pk}/")
    declined = api_client.get(f"/api/1.2/patches/{patch.pk}/", HTTP_ACCEPT="text/html")
    missing = api_client.get("/api/1.2/patches/999999999/")

    assert fast.status_code == 200
    assert not hasattr(fast.wsgi_request, "session")
    assert fast["X-Frame-Options"] == "DENY"
    assert fast["Content-Length"] == str(len(fast.content))
    assert declined.status_code == 200
    assert hasattr(declined.wsgi_request, "session")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No Patch matches the given query."}
