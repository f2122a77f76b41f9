"""The patch list and detail: fields per version, every filter, ordering, pagination,
updates (state, delegate, archived, commit_ref, related) with their events and refusals,
query counts and the browsable API."""

import datetime
import json
from urllib.parse import urlencode

import pytest

from events.models import Event
from patches.models import Patch, PatchRelation, State
from tests.api.conftest import (
    API_VERSIONS,
    api_path,
    count_queries,
    get_valid,
    ids_of,
    schema_fields,
    versions_before,
    versions_from,
)
from tests.api.schema import validate_response
from tests.factories import (
    BASE_DATE,
    CheckFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# the page's keys (a first page holding every row gives the count too: no COUNT), its
# columns by key, latest checks of the page (the check aggregate)
LIST_QUERIES = 3
# the same, and the relations with their patches (API 1.2+)
LIST_QUERIES_WITH_RELATED = 4


@pytest.fixture
def patch(project):
    return PatchFactory(project=project)


def listed(client, params, version=None) -> list[int]:
    return ids_of(get_valid(client, api_path("api-patch-list", version), params))


def patch_path(patch, version=None) -> str:
    return api_path("api-patch-detail", version, pk=patch.pk)


# --- representation -------------------------------------------------------------------


def test_list_empty(api_client, version):
    assert get_valid(api_client, api_path("api-patch-list", version)).json() == []


def test_list_fields_per_version(api_client, patch, version):
    """A list item has exactly the PatchList fields of the version (no headers, content
    or diff)."""
    [item] = get_valid(api_client, api_path("api-patch-list", version)).json()
    assert set(item) == schema_fields("PatchList", version)
    assert not {"headers", "content", "diff", "prefixes"} & set(item)


def test_detail_fields_per_version(api_client, patch, version):
    response = get_valid(api_client, patch_path(patch, version))
    assert set(response.json()) == schema_fields("PatchDetail", version)


@pytest.mark.parametrize(
    ("field", "first_version"),
    [("web_url", "1.1"), ("comments", "1.1"), ("list_archive_url", "1.2"), ("related", "1.2")],
)
def test_fields_added_in_later_versions(api_client, patch, field, first_version):
    for version in versions_from(first_version):
        assert field in get_valid(api_client, patch_path(patch, version)).json()
    for version in versions_before(first_version):
        assert field not in get_valid(api_client, patch_path(patch, version)).json()


def test_detail_values(api_client, maintainer):
    project = ProjectFactory(
        linkname="netdev", list_archive_url_format="https://lore.example.org/r/{}"
    )
    project.maintainers.add(maintainer)
    series = SeriesFactory(project=project)
    submitter = PersonFactory(name="Ann Author", email="ann@example.org")
    patch = PatchFactory(
        project=project,
        series=series,
        submitter=submitter,
        delegate=maintainer,
        msgid="<abc@example.org>",
        name="[RFC,v2 1/3] net: fix things",
        state=State.objects.get(slug="under-review"),
        commit_ref="1234abcd",
        headers="Message-Id: <abc@example.org>\nSubject: [RFC PATCH v2 1/3] net: fix\n",
    )
    data = get_valid(api_client, patch_path(patch)).json()
    assert data["url"] == f"http://testserver/api/patches/{patch.pk}/"
    assert data["web_url"] == "http://testserver/project/netdev/patch/abc@example.org/"
    assert data["mbox"] == "http://testserver/project/netdev/patch/abc@example.org/mbox/"
    assert data["list_archive_url"] == "https://lore.example.org/r/abc@example.org"
    assert data["comments"] == f"http://testserver/api/patches/{patch.pk}/comments/"
    assert data["checks"] == f"http://testserver/api/patches/{patch.pk}/checks/"
    assert data["state"] == "under-review"
    assert data["check"] == "pending"
    assert data["tags"] == {}
    assert data["commit_ref"] == "1234abcd"
    assert data["pull_url"] is None
    assert data["hash"] == patch.hash
    assert data["date"] == patch.date.isoformat()
    assert data["project"]["link_name"] == "netdev"
    assert data["submitter"] == {
        "id": submitter.pk,
        "url": f"http://testserver/api/people/{submitter.pk}/",
        "name": "Ann Author",
        "email": "ann@example.org",
    }
    assert data["delegate"]["username"] == maintainer.username
    assert [item["id"] for item in data["series"]] == [series.pk]
    assert data["related"] == []
    assert data["prefixes"] == ["RFC", "v2", "1/3"]
    assert data["headers"] == {
        "Message-Id": "<abc@example.org>",
        "Subject": "[RFC PATCH v2 1/3] net: fix",
    }
    assert data["content"] == patch.content
    assert data["diff"] == patch.diff


def test_repeated_headers_are_listed(api_client):
    """A header that occurs several times is a list of its values, one that occurs once a
    string (Patchwork).

    (Not validated: the spec's schema wants all strings or all lists.)"""
    patch = PatchFactory(headers="Received: from a\nReceived: from b\nSubject: x\n")
    response = api_client.get(patch_path(patch))
    assert response.json()["headers"] == {"Received": ["from a", "from b"], "Subject": "x"}


def test_patch_without_series(api_client, patch):
    assert get_valid(api_client, patch_path(patch)).json()["series"] == []


def test_pull_request_without_diff_has_null_diff_and_hash(api_client):
    """As Patchwork: a pull request without a diff has ``diff: null`` and ``hash: null``,
    in the detail and (``hash``) in the list."""
    patch = PatchFactory(diff=None, hash=None, pull_url="git://example.org/repo.git main")
    data = api_client.get(patch_path(patch)).json()
    assert (data["diff"], data["hash"]) == (None, None)
    assert data["pull_url"] == "git://example.org/repo.git main"
    (listed_patch,) = api_client.get(api_path("api-patch-list")).json()
    assert listed_patch["hash"] is None


def test_detail_unknown_is_json_404(api_client, version):
    response = api_client.get(api_path("api-patch-detail", version, pk=999999))
    assert response.status_code == 404
    validate_response(response)


def test_detail_without_trailing_slash(api_client, patch):
    response = api_client.get(f"/api/1.2/patches/{patch.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == patch.pk


def test_urls_keep_the_version(api_client, patch):
    data = get_valid(api_client, patch_path(patch, "1.2")).json()
    assert data["url"].startswith("http://testserver/api/1.2/patches/")
    assert data["project"]["url"].startswith("http://testserver/api/1.2/projects/")


@pytest.mark.parametrize("version", ["1.1", "1.3", None])
def test_checks_and_comments_links_are_unversioned_without_format(api_client, patch, version):
    """As Patchwork: ``checks`` and ``comments`` are the unversioned
    ``/api/patches/<id>/checks/`` and ``/comments/``, never with ``?format=``, in lists,
    details and update answers."""
    checks = f"http://testserver/api/patches/{patch.pk}/checks/"
    comments = f"http://testserver/api/patches/{patch.pk}/comments/"
    detail = api_client.get(patch_path(patch, version), {"format": "json"}).json()
    listed = api_client.get(api_path("api-patch-list", version), {"format": "json"}).json()
    listed_patch = listed[0]
    for shown in (detail, listed_patch):
        assert shown["checks"] == checks
        assert shown["comments"] == comments


# --- filters --------------------------------------------------------------------------


def test_filter_project(api_client):
    patch = PatchFactory(project=ProjectFactory(linkname="myproject"))
    PatchFactory()
    assert listed(api_client, {"project": "myproject"}) == [patch.pk]
    assert listed(api_client, {"project": "MyProject"}) == [patch.pk]
    assert listed(api_client, {"project": patch.project_id}) == [patch.pk]
    assert listed(api_client, {"project": "invalidproject"}) == []


def test_filter_series(api_client):
    series = SeriesFactory()
    patch = PatchFactory(series=series, project=series.project)
    PatchFactory()
    assert listed(api_client, {"series": series.pk}) == [patch.pk]
    assert listed(api_client, {"series": "abc"}) == []
    assert listed(api_client, {"series": 999999}) == []


def test_filter_submitter(api_client):
    submitter = PersonFactory(email="test@example.com")
    patch = PatchFactory(submitter=submitter)
    PatchFactory()
    assert listed(api_client, {"submitter": submitter.pk}) == [patch.pk]
    assert listed(api_client, {"submitter": "test@example.com"}) == [patch.pk]
    assert listed(api_client, {"submitter": "TEST@example.com"}) == [patch.pk]
    assert listed(api_client, {"submitter": "test@example.org"}) == []


def test_filter_delegate(api_client):
    delegate = UserFactory(username="maint")
    patch = PatchFactory(delegate=delegate)
    PatchFactory()
    assert listed(api_client, {"delegate": delegate.pk}) == [patch.pk]
    assert listed(api_client, {"delegate": "maint"}) == [patch.pk]
    assert listed(api_client, {"delegate": "nobody"}) == []


def test_filter_state_by_slug_and_id(api_client):
    new = PatchFactory()
    accepted = PatchFactory(state=State.objects.get(slug="accepted"))
    assert listed(api_client, {"state": "accepted"}) == [accepted.pk]
    assert listed(api_client, {"state": State.objects.get(slug="new").pk}) == [new.pk]
    assert listed(api_client, {"state": "no-such-state"}) == []


@pytest.mark.parametrize("version", versions_from("1.1"))
def test_filter_state_repeated(api_client, version):
    new = PatchFactory()
    review = PatchFactory(state=State.objects.get(slug="under-review"))
    PatchFactory(state=State.objects.get(slug="rfc"))
    params = [("state", "under-review"), ("state", "new")]
    response = get_valid(api_client, api_path("api-patch-list", version) + "?" + urlencode(params))
    assert sorted(ids_of(response)) == sorted([new.pk, review.pk])


def test_filter_state_repeated_in_1_0_uses_every_value(api_client):
    """As Patchwork (whatever its documentation says): API 1.0 applies every value of a
    repeated filter."""
    new = PatchFactory()
    review = PatchFactory(state=State.objects.get(slug="under-review"))
    path = api_path("api-patch-list", "1.0") + "?state=under-review&state=new"
    assert ids_of(get_valid(api_client, path)) == [new.pk, review.pk]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", "archived"), ("True", "archived"), ("false", "open"), ("False", "open")],
)
def test_filter_archived(api_client, value, expected):
    patches = {"archived": PatchFactory(archived=True), "open": PatchFactory(archived=False)}
    assert listed(api_client, {"archived": value}) == [patches[expected].pk]


def test_filter_archived_invalid_is_ignored(api_client, patch):
    """As Patchwork: an invalid ``?archived=`` value leaves the list unfiltered."""
    archived = PatchFactory(archived=True)
    assert listed(api_client, {"archived": "perhaps"}) == [patch.pk, archived.pk]


@pytest.mark.parametrize("version", versions_from("1.2"))
def test_filter_hash(api_client, version):
    patch = PatchFactory()
    same_diff = PatchFactory(hash=patch.hash)
    other = PatchFactory()
    assert listed(api_client, {"hash": patch.hash}, version) == [patch.pk, same_diff.pk]
    assert listed(api_client, {"hash": other.hash.upper()}, version) == [other.pk]
    assert listed(api_client, {"hash": "da638d0746a115000bf890fada1f02679aa282e8"}, version) == []
    assert listed(api_client, {"hash": "not hex"}, version) == []


@pytest.mark.parametrize("version", versions_before("1.2"))
def test_filter_hash_and_msgid_ignored_before_1_2(api_client, patch, version):
    assert listed(api_client, {"hash": "garbage"}, version) == [patch.pk]
    assert listed(api_client, {"msgid": "garbage"}, version) == [patch.pk]


@pytest.mark.parametrize("version", versions_from("1.2"))
def test_filter_msgid(api_client, version):
    patch = PatchFactory(msgid="<20240101.1234@example.org>")
    PatchFactory()
    assert listed(api_client, {"msgid": "20240101.1234@example.org"}, version) == [patch.pk]
    # as Patchwork: the value is bracketed as given, so one with brackets matches nothing
    assert listed(api_client, {"msgid": "<20240101.1234@example.org>"}, version) == []
    assert listed(api_client, {"msgid": "fishfish@fish.fish"}, version) == []


def test_filter_since_and_before(api_client):
    early = PatchFactory(date=datetime.datetime(2024, 1, 1, 10, 0))
    middle = PatchFactory(date=datetime.datetime(2024, 1, 2, 10, 0))
    late = PatchFactory(date=datetime.datetime(2024, 1, 3, 10, 0))
    assert listed(api_client, {"since": "2024-01-02T10:00:00"}) == [middle.pk, late.pk]
    assert listed(api_client, {"since": "2024-01-02 10:00:00"}) == [middle.pk, late.pk]
    assert listed(api_client, {"before": "2024-01-02T10:00:00"}) == [early.pk]
    assert listed(api_client, {"since": "2024-01-01", "before": "2024-01-03"}) == [
        early.pk,
        middle.pk,
    ]
    assert listed(api_client, {"since": "yesterday"}) == []


def test_filter_q_searches_names(api_client):
    patch = PatchFactory(name="[PATCH] net: fix the frobnicator")
    PatchFactory(name="[PATCH] mm: something else")
    assert listed(api_client, {"q": "Frobnicator"}) == [patch.pk]
    assert listed(api_client, {"q": "net fix"}) == [patch.pk]


def test_filter_updated_since_on_unversioned_api(api_client):
    """``updated_since`` (an extra) catches any change to a patch since a date."""
    old = PatchFactory(updated=datetime.datetime(2024, 1, 1))
    touched = PatchFactory(updated=datetime.datetime(2024, 6, 1))
    assert listed(api_client, {"updated_since": "2024-05-01"}) == [touched.pk]
    assert listed(api_client, {"updated_since": "not a date"}) == []
    assert old.pk not in listed(api_client, {"updated_since": "2024-05-01T00:00:00"})


@pytest.mark.parametrize("version", [version for version in API_VERSIONS if version])
def test_filter_updated_since_ignored_by_versioned_api(api_client, version):
    """Pinned clients see Patchwork's API: the extra is an unknown parameter there."""
    patch = PatchFactory(updated=datetime.datetime(2024, 1, 1))
    assert listed(api_client, {"updated_since": "2030-01-01"}, version) == [patch.pk]


def test_unknown_parameters_are_ignored(api_client, patch):
    assert listed(api_client, {"colour": "blue", "owner": "x"}) == [patch.pk]


def test_filters_combine(api_client, project):
    wanted = PatchFactory(project=project, archived=False)
    PatchFactory(project=project, archived=True)
    PatchFactory(archived=False)
    assert listed(api_client, {"project": project.linkname, "archived": "false"}) == [wanted.pk]


# --- ordering and pagination ----------------------------------------------------------


@pytest.fixture
def ordered_patches():
    """Three patches whose order differs by id, name, date and state."""
    return [
        PatchFactory(name="b", date=BASE_DATE, state=State.objects.get(slug="accepted")),
        PatchFactory(
            name="c",
            date=BASE_DATE - datetime.timedelta(days=1),
            state=State.objects.get(slug="new"),
        ),
        PatchFactory(
            name="a",
            date=BASE_DATE + datetime.timedelta(days=1),
            state=State.objects.get(slug="rfc"),
        ),
    ]


@pytest.mark.parametrize(
    ("order", "expected_names"),
    [
        ("id", ["b", "c", "a"]),
        ("-id", ["a", "c", "b"]),
        ("name", ["a", "b", "c"]),
        ("-name", ["c", "b", "a"]),
        ("date", ["c", "b", "a"]),
        ("-date", ["a", "b", "c"]),
        ("state", ["c", "b", "a"]),
        ("no-such-field", ["b", "c", "a"]),
    ],
)
def test_ordering(api_client, ordered_patches, order, expected_names):
    response = get_valid(api_client, api_path("api-patch-list"), {"order": order})
    assert [item["name"] for item in response.json()] == expected_names


def test_order_by_delegate_is_ignored_as_in_patchwork(api_client, maintainer, project):
    """Patchwork's patch list does not order by delegate: ``?order=delegate`` lists by id
    (measured side by side; the web list page has its own delegate column order)."""
    first = PatchFactory(project=project, delegate=None)
    second = PatchFactory(project=project, delegate=maintainer)
    for order in ("delegate", "-delegate"):
        assert listed(api_client, {"order": order}) == [first.pk, second.pk]


def test_ordering_by_archived_then_id(api_client):
    archived = PatchFactory(archived=True)
    open_patch = PatchFactory(archived=False)
    assert listed(api_client, {"order": "archived"}) == [open_patch.pk, archived.pk]
    assert listed(api_client, {"order": "-archived"}) == [archived.pk, open_patch.pk]


def test_ordering_by_check(api_client):
    """Patchwork's ``?order=check`` orders by the patches' checks (ids): each patch once,
    where it first appears in Patchwork's list (by its first check ascending, its last
    check descending; patches without checks last ascending, first descending)."""
    late, early, unchecked = PatchFactory.create_batch(3)
    user = UserFactory()
    CheckFactory(patch=early, user=user, context="a")
    CheckFactory(patch=late, user=user, context="a")
    CheckFactory(patch=early, user=user, context="b")
    assert listed(api_client, {"order": "check"}) == [early.pk, late.pk, unchecked.pk]
    assert listed(api_client, {"order": "-check"}) == [unchecked.pk, early.pk, late.pk]


def test_pagination_keeps_the_filters(api_client, project):
    PatchFactory.create_batch(3, project=project)
    response = get_valid(
        api_client, api_path("api-patch-list", "1.2"), {"project": project.linkname, "per_page": 2}
    )
    assert response["X-Total-Count"] == "3"
    base = "http://testserver/api/1.2/patches/"
    assert response["Link"] == (
        f'<{base}?page=2&per_page=2&project={project.linkname}>; rel="next", '
        f'<{base}?page=1&per_page=2&project={project.linkname}>; rel="first", '
        f'<{base}?page=2&per_page=2&project={project.linkname}>; rel="last"'
    )


def test_single_page_still_has_first_and_last_links(api_client, patch):
    """As Patchwork: a list of one page still sends ``first`` and ``last`` (both page 1)."""
    response = get_valid(api_client, api_path("api-patch-list"))
    base = "http://testserver/api/patches/"
    assert response["Link"] == f'<{base}?page=1>; rel="first", <{base}?page=1>; rel="last"'
    assert response["X-Total-Count"] == "1"


def test_empty_list_links_first_and_last_to_page_one(api_client, project):
    """As Patchwork: an empty list sends ``first`` and ``last`` with ``page=1``."""
    response = get_valid(api_client, api_path("api-patch-list", "1.1"), {"project": "nothing"})
    assert response.json() == []
    base = "http://testserver/api/1.1/patches/"
    assert response["Link"] == (
        f'<{base}?page=1&project=nothing>; rel="first", '
        f'<{base}?page=1&project=nothing>; rel="last"'
    )


# --- updates --------------------------------------------------------------------------


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_update_state_and_delegate_by_maintainer(
    client_as, patch, maintainer, version, body_format
):
    response = client_as(maintainer).patch(
        patch_path(patch, version),
        {"state": "under-review", "delegate": maintainer.pk},
        format=body_format,
    )
    assert response.status_code == 200, response.content
    validate_response(response)
    assert response.json()["state"] == "under-review"
    assert response.json()["delegate"]["id"] == maintainer.pk
    patch.refresh_from_db()
    assert patch.state.slug == "under-review"
    assert patch.delegate == maintainer


def test_update_records_events_and_bumps_updated(client_as, patch, maintainer):
    before = patch.updated
    client_as(maintainer).patch(
        patch_path(patch), {"state": "accepted", "delegate": maintainer.pk}, format="json"
    )
    state_event = Event.objects.get(category="patch-state-changed")
    assert (state_event.patch, state_event.actor, state_event.project) == (
        patch,
        maintainer,
        patch.project,
    )
    assert state_event.previous_state.slug == "new"
    assert state_event.current_state.slug == "accepted"
    delegate_event = Event.objects.get(category="patch-delegated")
    assert delegate_event.previous_delegate is None
    assert delegate_event.current_delegate == maintainer
    patch.refresh_from_db()
    assert patch.updated > before


def test_update_without_change_records_no_event(client_as, patch, maintainer):
    response = client_as(maintainer).patch(patch_path(patch), {"state": "new"})
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_update_state_by_name_or_id(client_as, patch, maintainer):
    client = client_as(maintainer)
    assert client.patch(patch_path(patch), {"state": "Changes Requested"}).status_code == 200
    patch.refresh_from_db()
    assert patch.state.slug == "changes-requested"
    rfc = State.objects.get(slug="rfc")
    assert client.patch(patch_path(patch), {"state": rfc.pk}, format="json").status_code == 200
    patch.refresh_from_db()
    assert patch.state == rfc


def test_update_unset_delegate(client_as, maintainer, project):
    patch = PatchFactory(project=project, delegate=maintainer)
    response = client_as(maintainer).patch(patch_path(patch), {"delegate": None}, format="json")
    assert response.status_code == 200
    assert response.json()["delegate"] is None
    patch.refresh_from_db()
    assert patch.delegate is None
    event = Event.objects.get(category="patch-delegated")
    assert (event.previous_delegate, event.current_delegate) == (maintainer, None)


def test_update_unset_delegate_form_encoded(client_as, maintainer, project):
    patch = PatchFactory(project=project, delegate=maintainer)
    response = client_as(maintainer).patch(patch_path(patch), {"delegate": ""})
    assert response.status_code == 200
    patch.refresh_from_db()
    assert patch.delegate is None


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("True", True), ("False", False)])
def test_update_archived_form_encoded(client_as, patch, maintainer, value, expected):
    patch.archived = not expected
    patch.save()
    response = client_as(maintainer).patch(patch_path(patch), {"archived": value})
    assert response.status_code == 200
    patch.refresh_from_db()
    assert patch.archived is expected


def test_update_commit_ref(client_as, patch, maintainer):
    response = client_as(maintainer).patch(
        patch_path(patch), {"commit_ref": "deadbeef", "archived": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["commit_ref"] == "deadbeef"
    patch.refresh_from_db()
    assert (patch.commit_ref, patch.archived) == ("deadbeef", True)


def test_put_needs_state_and_delegate(client_as, patch, maintainer):
    """PUT is a full update, as in Patchwork: state and delegate are required."""
    client = client_as(maintainer)
    response = client.put(patch_path(patch), {"state": "accepted"}, format="json")
    assert response.status_code == 400
    assert "delegate" in response.json()
    response = client.put(
        patch_path(patch), {"state": "accepted", "delegate": None}, format="json"
    )
    assert response.status_code == 200
    validate_response(response)


@pytest.mark.parametrize("who", ["delegate", "submitter", "superuser"])
def test_update_by_others_who_may(client_as, project, who):
    """Besides maintainers: the delegate, the submitter's user and superusers."""
    account = UserFactory(is_superuser=who == "superuser")
    patch = PatchFactory(
        project=project,
        delegate=account if who == "delegate" else None,
        submitter=PersonFactory(user=account if who == "submitter" else None),
    )
    response = client_as(account).patch(patch_path(patch), {"state": "rfc"})
    assert response.status_code == 200, response.content
    patch.refresh_from_db()
    assert patch.state.slug == "rfc"
    assert Event.objects.get(category="patch-state-changed").actor == account


@pytest.mark.parametrize("who", ["anonymous", "user", "maintainer of another project"])
def test_update_refused(client_as, patch, who):
    """403 for anonymous users and everyone else (Patchwork), even with a bad body."""
    if who == "anonymous":
        client = client_as(None)
    elif who == "user":
        client = client_as(UserFactory())
    else:
        other_maintainer = UserFactory()
        ProjectFactory().maintainers.add(other_maintainer)
        client = client_as(other_maintainer)
    for body in ({"state": "accepted"}, {"state": "no-such-state"}):
        response = client.patch(patch_path(patch), body)
        assert response.status_code == 403
        validate_response(response)
    patch.refresh_from_db()
    assert patch.state.slug == "new"
    assert not Event.objects.exists()


def test_update_invalid_state(client_as, patch, maintainer):
    response = client_as(maintainer).patch(patch_path(patch), {"state": "foobar"})
    assert response.status_code == 400
    validate_response(response)
    slugs = ", ".join(State.objects.order_by("ordering").values_list("slug", flat=True))
    assert response.json() == {"state": [f"Invalid state foobar. Expected one of: {slugs}."]}


def test_update_delegate_must_maintain_the_project(client_as, patch, maintainer):
    outsider = UserFactory(username="outsider")
    response = client_as(maintainer).patch(patch_path(patch), {"delegate": outsider.pk})
    assert response.status_code == 400
    validate_response(response)
    assert response.json() == {
        "delegate": [f"User 'outsider' is not a maintainer for project '{patch.project.name}'"]
    }
    patch.refresh_from_db()
    assert patch.delegate is None


@pytest.mark.parametrize("delegate", [999999, "bob"])
def test_update_unknown_delegate(client_as, patch, maintainer, delegate):
    response = client_as(maintainer).patch(patch_path(patch), {"delegate": delegate})
    assert response.status_code == 400
    validate_response(response)
    assert "delegate" in response.json()


def test_update_malformed_json_is_400(client_as, patch, maintainer):
    response = client_as(maintainer).patch(
        patch_path(patch), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_update_unknown_patch_is_404(client_as, maintainer):
    response = client_as(maintainer).patch(
        api_path("api-patch-detail", pk=999999), {"state": "new"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "delete"])
def test_create_and_delete_not_allowed(client_as, superuser, patch, method):
    client = client_as(superuser)
    path = api_path("api-patch-list") if method == "post" else patch_path(patch)
    response = getattr(client, method)(path, {"name": "new", "msgid": "<x@y>"})
    assert response.status_code == 405
    assert Patch.objects.count() == 1


# --- related (1.2+) -------------------------------------------------------------------


@pytest.fixture
def three_patches(project):
    return PatchFactory.create_batch(3, project=project)


def related_ids(client, patch, version=None) -> list[int]:
    return [item["id"] for item in get_valid(client, patch_path(patch, version)).json()["related"]]


@pytest.mark.parametrize("version", versions_from("1.2"))
def test_related_create(client_as, maintainer, three_patches, version):
    first, second, _third = three_patches
    client = client_as(maintainer)
    response = client.patch(patch_path(first, version), {"related": [second.pk]}, format="json")
    assert response.status_code == 200, response.content
    validate_response(response)
    assert [item["id"] for item in response.json()["related"]] == [second.pk]
    assert related_ids(client, second, version) == [first.pk]
    events = Event.objects.filter(category="patch-relation-changed")
    assert sorted(event.patch_id for event in events) == sorted([first.pk, second.pk])


def test_related_form_encoded_and_additive(client_as, maintainer, three_patches):
    first, second, third = three_patches
    client = client_as(maintainer)
    assert client.patch(patch_path(first), {"related": [second.pk]}).status_code == 200
    assert client.patch(patch_path(second), {"related": [third.pk]}).status_code == 200
    assert related_ids(client, first) == [second.pk, third.pk]
    assert PatchRelation.objects.count() == 1


def test_related_remove(client_as, maintainer, three_patches):
    first, second, third = three_patches
    client = client_as(maintainer)
    client.patch(patch_path(first), {"related": [second.pk, third.pk]}, format="json")
    response = client.patch(patch_path(first), {"related": []}, format="json")
    assert response.status_code == 200
    # as Patchwork: a partial update's answer leaves ``related`` out without a relation
    assert "related" not in response.json()
    assert related_ids(client, second) == [third.pk]


def test_related_dissolved_when_one_patch_is_left(client_as, maintainer, three_patches):
    first, second, _third = three_patches
    client = client_as(maintainer)
    client.patch(patch_path(first), {"related": [second.pk]}, format="json")
    client.patch(patch_path(first), {"related": []}, format="json")
    assert related_ids(client, second) == []
    assert not PatchRelation.objects.exists()


def test_related_conflict(client_as, maintainer, project):
    first, second, third, fourth = PatchFactory.create_batch(4, project=project)
    client = client_as(maintainer)
    client.patch(patch_path(first), {"related": [second.pk]}, format="json")
    client.patch(patch_path(third), {"related": [fourth.pk]}, format="json")
    response = client.patch(patch_path(first), {"related": [third.pk]}, format="json")
    assert response.status_code == 409
    validate_response(response)
    assert related_ids(client, first) == [second.pk]


def test_related_needs_maintainer_of_every_patch(client_as, maintainer, patch):
    elsewhere = PatchFactory()
    response = client_as(maintainer).patch(
        patch_path(patch), {"related": [elsewhere.pk]}, format="json"
    )
    assert response.status_code == 403
    assert "maintaining" in response.json()["detail"]
    assert not PatchRelation.objects.exists()


@pytest.mark.parametrize("related", [[999999], "abc", ["x"]])
def test_related_invalid(client_as, maintainer, patch, related):
    response = client_as(maintainer).patch(patch_path(patch), {"related": related}, format="json")
    assert response.status_code == 400
    assert "related" in response.json()


def test_related_applied_through_older_versions(client_as, maintainer, three_patches):
    """As Patchwork: a write through 1.0/1.1 still applies ``related`` (a 1.2 field); the
    answer shows only the version's fields."""
    first, second, _third = three_patches
    response = client_as(maintainer).patch(
        patch_path(first, "1.1"), {"related": [second.pk]}, format="json"
    )
    assert response.status_code == 200
    assert "related" not in response.json()
    assert "list_archive_url" not in response.json()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.related_id is not None
    assert first.related_id == second.related_id


# --- query counts and the browsable API -----------------------------------------------


def make_busy_patch(project, series, delegate, check_user):
    """A patch with everything the list embeds or aggregates, related to a patch of
    another project (so that a filtered page holds only the busy patches)."""
    patch = PatchFactory(project=project, series=series, delegate=delegate)
    CheckFactory(patch=patch, user=check_user, context="build")
    CheckFactory(patch=patch, user=check_user, context="test", state=3)
    patch.related = PatchRelation.objects.create()
    patch.save()
    PatchFactory(related=patch.related)
    return patch


@pytest.mark.parametrize(
    ("version", "expected_queries"),
    [("1.0", LIST_QUERIES), ("1.1", LIST_QUERIES), ("1.2", LIST_QUERIES_WITH_RELATED)]
    + [(version, LIST_QUERIES_WITH_RELATED) for version in ("1.3", "1.4", None)],
)
def test_list_query_count_is_constant(api_client, project, version, expected_queries):
    series = SeriesFactory(project=project)
    delegate, check_user = UserFactory.create_batch(2)
    make_busy_patch(project, series, delegate, check_user)
    path = api_path("api-patch-list", version) + f"?per_page=100&project={project.pk}"
    assert count_queries(api_client, path) == expected_queries
    for _ in range(99):
        make_busy_patch(project, series, delegate, check_user)
    assert count_queries(api_client, path) == expected_queries
    assert len(api_client.get(path).json()) == 100


def test_detail_query_count(api_client, project):
    """One query for the patch, one for its latest checks, one for its related patches."""
    patch = make_busy_patch(project, SeriesFactory(project=project), *UserFactory.create_batch(2))
    assert count_queries(api_client, patch_path(patch)) == 3


@pytest.mark.parametrize("version", API_VERSIONS)
def test_browsable_api(client_as, maintainer, patch, version):
    """The list and the detail render as HTML; the update form takes the delegate as a
    raw id rather than a select of every user."""
    client = client_as(maintainer)
    response = client.get(api_path("api-patch-list", version), {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    response = client.get(patch_path(patch, version), {"format": "api"})
    assert response.status_code == 200
    assert b"<form" in response.content
    assert b'<select class="form-control" name="delegate"' not in response.content
    assert b'name="state"' in response.content


def test_browsable_api_in_a_browser(client_as, maintainer, patch):
    response = client_as(maintainer).get(patch_path(patch), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# --- robustness -----------------------------------------------------------------------

ODD_QUERIES = [
    "per_page=0",
    "per_page=99999999999999999999",
    "page=-1",
    "order=-",
    "order=,",
    "state=",
    "state=-5",
    "since=",
    "since=%00",
    "q=%00",
    "project=%00",
    "project=99999999999999999999999",
    "submitter=%00",
    "msgid=%00",
    "series=-1",
    "delegate=-1",
    "before=2024-01-01T25:00",
    "since=9999-12-31T23:59:59Z",
    "since=0001-01-01T00:00:00+05:00",
    "updated_since=0000-01-01",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_query_values_never_fail(client_as, maintainer, patch, query):
    """Odd filter, paging and ordering values give a 4xx or a (possibly empty) list."""
    client = client_as(maintainer)
    for path in (
        api_path("api-patch-list"),
        api_path("api-check-list", patch_id=patch.pk),
        api_path("api-patch-comment-list", patch_id=patch.pk),
        api_path("api-project-list"),
        api_path("api-person-list"),
        api_path("api-user-list"),
        api_path("api-state-list"),
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 404), (path, query, response.content)
        assert isinstance(response.json(), list | dict)


def test_offset_before_year_one_matches_nothing(api_client, patch):
    """Regression: an offset that moves ``since`` before year 1 once raised a 500."""
    assert listed(api_client, {"since": "0001-01-01T00:00:00+05:00"}) == []


ODD_BODIES = [
    {"state": None},
    {"state": ["new"]},
    {"state": {"slug": "new"}},
    {"archived": None},
    {"commit_ref": "x" * 300},
    {"delegate": "1.5"},
    {"delegate": [1]},
    {"related": [1.5]},
    {"related": None},
    {"related": [True]},
    {"related": [{"id": 1}]},
    [],
    "state",
    5,
    None,
]


@pytest.mark.parametrize("body", ODD_BODIES)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_odd_update_bodies_are_400(client_as, maintainer, patch, method, body):
    response = getattr(client_as(maintainer), method)(
        patch_path(patch), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    patch.refresh_from_db()
    assert patch.state.slug == "new"


# --- Patchwork parity of updates (issue 10) -------------------------------------------


def test_partial_update_omits_related_without_relation_but_get_and_put_show_it(
    client_as, maintainer, patch
):
    """As Patchwork: PATCH's answer leaves ``related`` out when the patch has no
    relation; GET and PUT show ``[]``."""
    client = client_as(maintainer)
    response = client.patch(patch_path(patch), {"archived": True}, format="json")
    assert response.status_code == 200, response.content
    assert "related" not in response.json()
    assert client.get(patch_path(patch)).json()["related"] == []
    body = {"state": patch.state.slug, "delegate": None, "archived": False, "commit_ref": None}
    response = client.put(patch_path(patch), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["related"] == []


def test_related_ordered_by_patch_date(client_as, maintainer, project):
    """As Patchwork: a patch's ``related`` patches are ordered by their date."""
    first, second, third = PatchFactory.create_batch(3, project=project)
    Patch.objects.filter(pk=second.pk).update(date=third.date + datetime.timedelta(hours=1))
    client = client_as(maintainer)
    client.patch(patch_path(first), {"related": [second.pk, third.pk]}, format="json")
    shown = client.get(patch_path(first)).json()["related"]
    assert [other["id"] for other in shown] == [third.pk, second.pk]


def test_pull_url_writable_by_those_who_may_change_the_patch(client_as, maintainer, patch):
    """As Patchwork: ``pull_url`` is writable (by those who may change the patch)."""
    url = "git://example.org/repo.git for-next"
    response = client_as(maintainer).patch(patch_path(patch), {"pull_url": url}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["pull_url"] == url
    patch.refresh_from_db()
    assert patch.pull_url == url
    other = client_as(UserFactory()).patch(patch_path(patch), {"pull_url": "x"}, format="json")
    assert other.status_code == 403
    patch.refresh_from_db()
    assert patch.pull_url == url


def test_relation_events_come_before_the_state_event(client_as, maintainer, three_patches):
    """As Patchwork records them: within one PATCH, the relation events come before the
    state event."""
    first, second, _third = three_patches
    response = client_as(maintainer).patch(
        patch_path(first), {"related": [second.pk], "state": "accepted"}, format="json"
    )
    assert response.status_code == 200, response.content
    categories = list(
        Event.objects.filter(patch=first).order_by("date", "id").values_list("category", flat=True)
    )
    assert categories[-2:] == ["patch-relation-changed", "patch-state-changed"]


def test_relation_events_of_the_other_patches_come_first(client_as, maintainer, project):
    """As Patchwork records them: relating patch A to B records B's relation event, then
    A's (the patch written to last)."""
    first, second = PatchFactory.create_batch(2, project=project)
    response = client_as(maintainer).patch(
        patch_path(second), {"related": [first.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    events = Event.objects.filter(category="patch-relation-changed").order_by("date", "id")
    assert [event.patch_id for event in events] == [first.pk, second.pk]
