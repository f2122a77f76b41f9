"""The event list: payload per category and version, filters, ordering, the fixed page
size, the bounded count, query counts and the browsable API."""

import datetime

import pytest
from django.urls import reverse

from events.models import Event
from events.pagination import BoundedCountPaginator
from patches.models import State
from tests.api.schema import validate_response
from tests.factories import (
    BASE_DATE,
    CheckFactory,
    CoverCommentFactory,
    CoverFactory,
    EventFactory,
    PatchCommentFactory,
    PatchFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Category = Event.Category
VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", None]
COMMENT_CATEGORIES = {Category.COVER_COMMENT_CREATED, Category.PATCH_COMMENT_CREATED}


def list_url(version: str | None = None) -> str:
    return reverse("api-event-list", kwargs={"version": version} if version else {})


def get_events(client, params: dict | None = None, version: str | None = None) -> list[dict]:
    response = client.get(list_url(version), params or {})
    assert response.status_code == 200, response.content
    validate_response(response)
    return response.json()


def listed_ids(client, params: dict | None = None, version: str | None = None) -> list[int]:
    return [event["id"] for event in get_events(client, params, version)]


class World:
    """One of everything an event can point at, in one project."""

    def __init__(self):
        self.project = ProjectFactory(linkname="events-project")
        self.actor = UserFactory(username="actor")
        self.delegate = UserFactory(username="delegate")
        self.series = SeriesFactory(project=self.project)
        self.cover = CoverFactory(project=self.project)
        self.patch = PatchFactory(project=self.project, series=self.series, number=1)
        self.check = CheckFactory(patch=self.patch, user=self.actor)
        self.cover_comment = CoverCommentFactory(cover=self.cover, headers="Subject: Re: cover\n")
        self.patch_comment = PatchCommentFactory(patch=self.patch, headers="Subject: Re: patch\n")
        self.new = State.objects.get(slug="new")
        self.accepted = State.objects.get(slug="accepted")

    def targets(self, category: str) -> dict:
        return {
            Category.COVER_CREATED: {"cover": self.cover},
            Category.PATCH_CREATED: {"patch": self.patch},
            Category.PATCH_COMPLETED: {"patch": self.patch, "series": self.series},
            Category.PATCH_STATE_CHANGED: {
                "patch": self.patch,
                "previous_state": self.new,
                "current_state": self.accepted,
            },
            Category.PATCH_DELEGATED: {"patch": self.patch, "current_delegate": self.delegate},
            Category.PATCH_RELATION_CHANGED: {"patch": self.patch},
            Category.CHECK_CREATED: {"patch": self.patch, "created_check": self.check},
            Category.SERIES_CREATED: {"series": self.series},
            Category.SERIES_COMPLETED: {"series": self.series},
            Category.COVER_COMMENT_CREATED: {
                "cover": self.cover,
                "cover_comment": self.cover_comment,
            },
            Category.PATCH_COMMENT_CREATED: {
                "patch": self.patch,
                "patch_comment": self.patch_comment,
            },
        }[category]

    def event(self, category: str, **extra) -> Event:
        fields = {"project": self.project, "category": category, **self.targets(category)}
        return EventFactory(**{**fields, **extra})


@pytest.fixture
def world():
    return World()


def check_payload(world: World, category: str, payload: dict) -> None:
    """The payload holds exactly what Patchwork shows for the category."""
    expected_keys = {
        Category.COVER_CREATED: {"cover"},
        Category.PATCH_CREATED: {"patch"},
        Category.PATCH_COMPLETED: {"patch", "series"},
        Category.PATCH_STATE_CHANGED: {"patch", "previous_state", "current_state"},
        Category.PATCH_DELEGATED: {"patch", "previous_delegate", "current_delegate"},
        Category.PATCH_RELATION_CHANGED: {"patch", "previous_relation", "current_relation"},
        Category.CHECK_CREATED: {"patch", "check"},
        Category.SERIES_CREATED: {"series"},
        Category.SERIES_COMPLETED: {"series"},
        Category.COVER_COMMENT_CREATED: {"cover", "comment"},
        Category.PATCH_COMMENT_CREATED: {"patch", "comment"},
    }[category]
    assert payload.keys() == expected_keys
    if "patch" in payload:
        assert payload["patch"]["id"] == world.patch.pk
        assert payload["patch"]["url"].endswith(f"/patches/{world.patch.pk}/")
    if "series" in payload:
        assert payload["series"]["id"] == world.series.pk
    if "cover" in payload:
        assert payload["cover"]["id"] == world.cover.pk
    if category == Category.PATCH_STATE_CHANGED:
        assert (payload["previous_state"], payload["current_state"]) == ("new", "accepted")
    if category == Category.PATCH_DELEGATED:
        assert payload["previous_delegate"] is None
        assert payload["current_delegate"]["username"] == "delegate"
    if category == Category.PATCH_RELATION_CHANGED:
        assert payload["previous_relation"] is None
        assert payload["current_relation"] is None
    if category == Category.CHECK_CREATED:
        assert payload["check"]["id"] == world.check.pk
        assert payload["check"]["state"] == "success"
        assert payload["check"]["context"] == "build"
    if category == Category.COVER_COMMENT_CREATED:
        assert payload["comment"]["id"] == world.cover_comment.pk
        assert payload["comment"]["url"].endswith(
            f"/covers/{world.cover.pk}/comments/{world.cover_comment.pk}/"
        )
        assert payload["comment"]["web_url"] == (
            f"http://testserver/comment/{world.cover_comment.pk}/"
        )
    if category == Category.PATCH_COMMENT_CREATED:
        assert payload["comment"]["id"] == world.patch_comment.pk
        assert payload["comment"]["web_url"] == (
            f"http://testserver/comment/{world.patch_comment.pk}/"
        )
    if "comment" in payload:
        # exactly Patchwork's embedded comment: no name
        assert set(payload["comment"]) == {
            "id",
            "url",
            "web_url",
            "msgid",
            "list_archive_url",
            "date",
        }


@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize("version", ["1.3", "1.4", None])
def test_payload_per_category(api_client, world, category, version):
    event = world.event(category, actor=world.actor)
    (shown,) = get_events(api_client, version=version)
    assert shown["id"] == event.pk
    assert shown["category"] == category
    assert shown["project"]["link_name"] == "events-project"
    assert shown["actor"]["username"] == "actor"
    check_payload(world, category, shown["payload"])


@pytest.mark.parametrize("category", sorted(set(Category) - COMMENT_CATEGORIES))
@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_payload_in_older_versions(api_client, world, category, version):
    world.event(category, actor=world.actor)
    (shown,) = get_events(api_client, version=version)
    check_payload(world, category, shown["payload"])
    # as Patchwork: the actor in every version
    assert shown["actor"]["username"] == "actor"


@pytest.mark.parametrize("version", VERSIONS)
def test_comment_events_only_from_1_3(api_client, world, version):
    """Comment events point at comment endpoints that appeared in API 1.3."""
    for category in Category:
        world.event(category)
    shown = {event["category"] for event in get_events(api_client, version=version)}
    if version in ("1.0", "1.1", "1.2"):
        assert shown == set(Category) - COMMENT_CATEGORIES
    else:
        assert shown == set(Category)


@pytest.mark.parametrize("version", VERSIONS)
def test_actor_in_every_version(api_client, world, version):
    """As Patchwork: events carry ``actor`` in every version, 1.0 and 1.1 included."""
    world.event(Category.PATCH_CREATED, actor=None)
    (shown,) = get_events(api_client, version=version)
    assert shown["actor"] is None


def test_dates_keep_microseconds(api_client, world):
    world.event(Category.PATCH_CREATED, date=datetime.datetime(2026, 4, 8, 16, 55, 45, 123456))
    (shown,) = get_events(api_client)
    assert shown["date"] == "2026-04-08T16:55:45.123456"


@pytest.mark.parametrize("version", VERSIONS)
def test_newest_first(api_client, world, version):
    events = [
        world.event(Category.PATCH_CREATED, date=BASE_DATE + datetime.timedelta(hours=hours))
        for hours in (2, 3, 1)
    ]
    assert listed_ids(api_client, version=version) == [
        events[1].pk,
        events[0].pk,
        events[2].pk,
    ]


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3", "1.4", None])
def test_order_by_date(api_client, world, version):
    """``order=date`` in every version: Patchwork orders events by date in 1.0 and 1.1
    too, though its spec documents ``order`` from 1.2 (measured side by side)."""
    early = world.event(Category.PATCH_CREATED, date=BASE_DATE)
    late = world.event(Category.PATCH_CREATED, date=BASE_DATE + datetime.timedelta(hours=1))
    assert listed_ids(api_client, {"order": "date"}, version) == [early.pk, late.pk]
    assert listed_ids(api_client, {"order": "-date"}, version) == [late.pk, early.pk]
    assert listed_ids(api_client, {"order": "category"}, version) == [late.pk, early.pk]


def test_filter_category(api_client, world):
    created = world.event(Category.PATCH_CREATED)
    completed = world.event(Category.SERIES_COMPLETED)
    assert listed_ids(api_client, {"category": "patch-created"}) == [created.pk]
    assert listed_ids(api_client, {"category": "series-completed"}) == [completed.pk]
    assert listed_ids(api_client, {"category": "not-a-category"}) == []


@pytest.mark.parametrize("version", ["1.0", "1.3"])
def test_filter_category_repeated_takes_the_last(api_client, world, version):
    """As Patchwork, in every version: a repeated ``category`` counts its last value."""
    world.event(Category.PATCH_CREATED)
    completed = world.event(Category.SERIES_COMPLETED)
    params = {"category": ["patch-created", "series-completed"]}
    assert listed_ids(api_client, params, version) == [completed.pk]


def test_filter_project(api_client, world):
    mine = world.event(Category.PATCH_CREATED)
    EventFactory(category=Category.PATCH_CREATED)
    assert listed_ids(api_client, {"project": "events-project"}) == [mine.pk]
    assert listed_ids(api_client, {"project": world.project.pk}) == [mine.pk]
    assert listed_ids(api_client, {"project": "other"}) == []


@pytest.mark.parametrize(
    ("parameter", "category", "target"),
    [
        ("patch", Category.PATCH_CREATED, "patch"),
        ("series", Category.SERIES_CREATED, "series"),
        ("cover", Category.COVER_CREATED, "cover"),
    ],
)
def test_filter_by_object(api_client, world, parameter, category, target):
    wanted = world.event(category)
    world.event(Category.CHECK_CREATED if parameter != "patch" else Category.SERIES_CREATED)
    target_id = getattr(world, target).pk
    assert listed_ids(api_client, {parameter: target_id}) == [wanted.pk]
    assert listed_ids(api_client, {parameter: 999999}) == []
    assert listed_ids(api_client, {parameter: "abc"}) == []
    assert listed_ids(api_client, {parameter: "99999999999999999999"}) == []


@pytest.mark.parametrize("version", ["1.2", "1.3", "1.4", None])
def test_filter_actor(api_client, world, version):
    mine = world.event(Category.PATCH_CREATED, actor=world.actor)
    world.event(Category.PATCH_CREATED, actor=None)
    assert listed_ids(api_client, {"actor": "actor"}, version) == [mine.pk]
    assert listed_ids(api_client, {"actor": world.actor.pk}, version) == [mine.pk]
    assert listed_ids(api_client, {"actor": "nobody"}, version) == []


def test_filter_actor_ignored_before_1_2(api_client, world):
    world.event(Category.PATCH_CREATED, actor=world.actor)
    world.event(Category.PATCH_CREATED, actor=None)
    assert len(listed_ids(api_client, {"actor": "nobody"}, "1.1")) == 2


def test_filter_dates(api_client, world):
    early = world.event(Category.PATCH_CREATED, date=BASE_DATE)
    late = world.event(Category.PATCH_CREATED, date=BASE_DATE + datetime.timedelta(days=1))
    assert listed_ids(api_client, {"since": "2024-01-02T12:00:00"}) == [late.pk]
    assert listed_ids(api_client, {"since": "2024-01-02 11:00"}) == [late.pk]
    assert listed_ids(api_client, {"before": "2024-01-02T12:00:00"}) == [early.pk]
    assert listed_ids(api_client, {"since": "last tuesday"}) == []


def test_per_page_is_honoured(api_client, world):
    """As Patchwork: events honour ``per_page`` (30 to a page without it)."""
    for _ in range(35):
        world.event(Category.PATCH_CREATED)
    response = api_client.get(list_url(), {"per_page": 5})
    validate_response(response)
    assert len(response.json()) == 5
    assert response["X-Total-Count"] == "35"
    assert 'rel="next"' in response["Link"]
    assert '<http://testserver/api/events/?page=7&per_page=5>; rel="last"' in response["Link"]
    response = api_client.get(list_url(), {"per_page": 5, "page": 7})
    assert len(response.json()) == 5
    assert len(api_client.get(list_url()).json()) == 30


def test_beyond_the_count_limit(api_client, world, monkeypatch):
    """Past the count limit, pages go on without a total: no ``X-Total-Count`` and no
    ``last`` link, ``next`` as long as rows follow."""
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 40)
    events = [world.event(Category.PATCH_CREATED) for _ in range(65)]
    newest_first = [event.pk for event in reversed(events)]
    response = api_client.get(list_url())
    validate_response(response)
    assert [event["id"] for event in response.json()] == newest_first[:30]
    assert "X-Total-Count" not in response
    assert response["Link"] == (
        '<http://testserver/api/events/?page=2>; rel="next", '
        '<http://testserver/api/events/?page=1>; rel="first"'
    )
    response = api_client.get(list_url(), {"page": 3})
    assert [event["id"] for event in response.json()] == newest_first[60:]
    assert response["Link"] == (
        '<http://testserver/api/events/?page=2>; rel="prev", '
        '<http://testserver/api/events/?page=1>; rel="first"'
    )
    assert api_client.get(list_url(), {"page": 4}).status_code == 404
    assert api_client.get(list_url(), {"page": "x"}).status_code == 404


def test_within_the_count_limit_the_usual_headers(api_client, world):
    """A single page of events still links ``first`` and ``last`` (page 1), as Patchwork."""
    for _ in range(3):
        world.event(Category.PATCH_CREATED)
    response = api_client.get(list_url())
    assert response["X-Total-Count"] == "3"
    assert response["Link"] == (
        '<http://testserver/api/events/?page=1>; rel="first", '
        '<http://testserver/api/events/?page=1>; rel="last"'
    )


# The bounded count, the page's keys, its columns by key (project, actor and states
# joined), and one query per kind of object on the page: previous and current
# delegates, patches, series, covers, checks, cover comments and patch comments.
QUERIES_FOR_EVERY_KIND = 3 + 8
# A first page that holds every event needs no count: its keys are the count.
QUERIES_ON_ONE_PAGE = QUERIES_FOR_EVERY_KIND - 1


@pytest.mark.parametrize(
    ("count", "queries"),
    [(len(Category), QUERIES_ON_ONE_PAGE), (100, QUERIES_FOR_EVERY_KIND)],
)
def test_query_count_is_constant(api_client, django_assert_num_queries, world, count, queries):
    """However many events a page holds, the queries are bounded by the kinds of object
    their payloads embed."""
    categories = list(Category)
    for index in range(count):
        world.event(
            categories[index % len(categories)],
            actor=world.actor,
            previous_delegate=world.actor,
        )
    with django_assert_num_queries(queries):
        response = api_client.get(list_url())
    assert len(response.json()) == min(count, 30)


@pytest.mark.parametrize(("count", "queries"), [(3, 3), (100, 4)])
def test_query_count_of_a_single_kind(
    api_client, django_assert_num_queries, world, count, queries
):
    for _ in range(count):
        world.event(Category.PATCH_CREATED, actor=world.actor)
    with django_assert_num_queries(queries):
        response = api_client.get(list_url(), {"category": "patch-created"})
    assert len(response.json()) == min(count, 30)


@pytest.mark.parametrize("version", VERSIONS)
def test_browsable_api(api_client, world, version):
    world.event(Category.PATCH_CREATED)
    response = api_client.get(list_url(version), {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "patch-created" in response.content.decode()


def test_without_slash(api_client, world):
    world.event(Category.PATCH_CREATED)
    response = api_client.get("/api/1.2/events")
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_read_only(api_client, world):
    api_client.force_authenticate(user=UserFactory(is_superuser=True))
    response = api_client.post(list_url(), {"category": "patch-created"})
    assert response.status_code == 405


ODD_VALUES = ["\x00", "a\x00b", "99999999999999999999", "-1", "١٢", "%", "'", "<>", " "]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_filter_values_never_fail(api_client, world, value):
    """Odd values (NUL characters, huge or non-ASCII numbers, quotes) filter, or match
    nothing: never a server error."""
    world.event(Category.PATCH_CREATED)
    for parameter in (
        "project",
        "category",
        "series",
        "patch",
        "cover",
        "actor",
        "since",
        "before",
        "order",
    ):
        response = api_client.get(list_url(), {parameter: value})
        assert response.status_code == 200, (parameter, response.content)
        validate_response(response)
