"""Checks of a patch: list, filters, detail, creation (201) with its event and refusals,
and the patch's combined ``check`` (latest per user and context, worst state wins)."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from events.models import Event
from patches.models import Check
from tests.api.conftest import (
    API_VERSIONS,
    api_path,
    count_queries,
    get_valid,
    ids_of,
    schema_fields,
)
from tests.api.schema import validate_response
from tests.factories import BASE_DATE, CheckFactory, PatchFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

# the page's keys (a first page holding every row gives the count too: no COUNT) and its
# columns (users joined) by key; a row on the page shows the patch exists
LIST_QUERIES = 2

VALID_CHECK = {
    "state": "success",
    "target_url": "http://t.co",
    "description": "description",
    "context": "context",
}


@pytest.fixture
def patch(project):
    return PatchFactory(project=project)


def checks_path(patch, version=None) -> str:
    return api_path("api-check-list", version, patch_id=patch.pk)


def check_path(check, version=None) -> str:
    return api_path("api-check-detail", version, patch_id=check.patch_id, check_id=check.pk)


def combined_check(client, patch) -> str:
    return get_valid(client, api_path("api-patch-detail", pk=patch.pk)).json()["check"]


# --- list and detail ------------------------------------------------------------------


def test_list(api_client, patch, version):
    check = CheckFactory(patch=patch)
    CheckFactory()  # on another patch
    response = get_valid(api_client, checks_path(patch, version))
    [item] = response.json()
    assert set(item) == schema_fields("Check", version)
    assert item["id"] == check.pk
    assert item["state"] == "success"
    assert item["context"] == "build"
    assert item["target_url"] == check.target_url
    assert item["description"] == check.description
    assert item["user"]["id"] == check.user_id
    assert item["url"].endswith(f"/patches/{patch.pk}/checks/{check.pk}/")


def test_list_of_unknown_patch_is_404(api_client, version):
    response = api_client.get(api_path("api-check-list", version, patch_id=999999))
    assert response.status_code == 404
    validate_response(response)


def test_filter_user(api_client, patch):
    ci = UserFactory(username="ci-bot")
    check = CheckFactory(patch=patch, user=ci)
    CheckFactory(patch=patch)
    path = checks_path(patch)
    assert ids_of(get_valid(api_client, path, {"user": ci.pk})) == [check.pk]
    assert ids_of(get_valid(api_client, path, {"user": "ci-bot"})) == [check.pk]
    assert ids_of(get_valid(api_client, path, {"user": "otheruser"})) == []


def test_filter_state(api_client, patch):
    failed = CheckFactory(patch=patch, state=Check.State.FAIL)
    passed = CheckFactory(patch=patch, state=Check.State.SUCCESS)
    path = checks_path(patch)
    assert ids_of(get_valid(api_client, path, {"state": "fail"})) == [failed.pk]
    assert ids_of(get_valid(api_client, path, {"state": Check.State.SUCCESS})) == [passed.pk]
    assert ids_of(get_valid(api_client, path + "?state=fail&state=success")) == [
        failed.pk,
        passed.pk,
    ]
    assert ids_of(get_valid(api_client, path, {"state": "exploded"})) == []


def test_filter_context(api_client, patch):
    build = CheckFactory(patch=patch, context="build")
    CheckFactory(patch=patch, context="checkpatch")
    assert ids_of(get_valid(api_client, checks_path(patch), {"context": "build"})) == [build.pk]


def test_filter_since_and_before(api_client, patch):
    early = CheckFactory(patch=patch, date=datetime.datetime(2024, 1, 1))
    late = CheckFactory(patch=patch, date=datetime.datetime(2024, 2, 1))
    path = checks_path(patch)
    assert ids_of(get_valid(api_client, path, {"since": "2024-01-15"})) == [late.pk]
    assert ids_of(get_valid(api_client, path, {"before": "2024-01-15"})) == [early.pk]
    assert ids_of(get_valid(api_client, path, {"since": "garbage"})) == []


@pytest.mark.parametrize(
    ("order", "expected"), [("id", [0, 1]), ("-id", [1, 0]), ("-date", [0, 1])]
)
def test_ordering(api_client, patch, order, expected):
    checks = [
        CheckFactory(patch=patch, date=BASE_DATE),
        CheckFactory(patch=patch, date=BASE_DATE - datetime.timedelta(hours=1)),
    ]
    response = get_valid(api_client, checks_path(patch), {"order": order})
    assert ids_of(response) == [checks[index].pk for index in expected]


def test_detail(api_client, patch, version):
    check = CheckFactory(patch=patch)
    response = get_valid(api_client, check_path(check, version))
    assert response.json()["id"] == check.pk


def test_detail_of_another_patch_is_404(api_client, patch):
    check = CheckFactory()
    response = api_client.get(api_path("api-check-detail", patch_id=patch.pk, check_id=check.pk))
    assert response.status_code == 404
    validate_response(response)


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_checks_cannot_be_changed(client_as, superuser, patch, method):
    check = CheckFactory(patch=patch)
    response = getattr(client_as(superuser), method)(check_path(check), {"target_url": "x"})
    assert response.status_code == 405


# --- creation -------------------------------------------------------------------------


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_create_by_maintainer(client_as, patch, maintainer, version, body_format):
    response = client_as(maintainer).post(
        checks_path(patch, version), VALID_CHECK, format=body_format
    )
    assert response.status_code == 201, response.content
    validate_response(response)
    check = Check.objects.get()
    assert response.json()["id"] == check.pk
    assert response.json()["user"]["id"] == maintainer.pk
    assert (check.state, check.context, check.target_url) == (
        Check.State.SUCCESS,
        "context",
        "http://t.co",
    )


def test_create_without_trailing_slash(client_as, patch, maintainer):
    """A POST cannot follow a redirect: the slash-less URL is served directly."""
    response = client_as(maintainer).post(
        f"/api/1.2/patches/{patch.pk}/checks", VALID_CHECK, format="json"
    )
    assert response.status_code == 201


def test_create_records_event_and_bumps_patch(client_as, patch, maintainer):
    before = patch.updated
    response = client_as(maintainer).post(checks_path(patch), VALID_CHECK)
    event = Event.objects.get(category="check-created")
    assert event.created_check_id == response.json()["id"]
    assert (event.patch, event.actor, event.project) == (patch, maintainer, patch.project)
    patch.refresh_from_db()
    assert patch.updated > before


@pytest.mark.parametrize(("state", "expected"), [("pending", 0), ("2", 2), (3, 3)])
def test_create_state_by_name_or_number(client_as, patch, maintainer, state, expected):
    """The browsable API sends the numeric state."""
    body = {**VALID_CHECK, "state": state}
    response = client_as(maintainer).post(checks_path(patch), body, format="json")
    assert response.status_code == 201, response.content
    assert Check.objects.get().state == expected


def test_create_minimal(client_as, patch, maintainer):
    response = client_as(maintainer).post(checks_path(patch), {"state": "warning"})
    assert response.status_code == 201, response.content
    assert response.json()["context"] == "default"
    assert response.json()["target_url"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"state": "this-is-not-a-valid-state"}, "state"),
        ({"target_url": "http://t.co"}, "state"),
        ({"state": ""}, "state"),
        ({"state": "success", "context": "not a slug!"}, "context"),
        ({"state": "success", "target_url": "not a url"}, "target_url"),
    ],
)
def test_create_invalid(client_as, patch, maintainer, body, field):
    response = client_as(maintainer).post(checks_path(patch), body)
    assert response.status_code == 400
    validate_response(response)
    assert field in response.json()
    assert not Check.objects.exists()
    assert not Event.objects.exists()


def test_create_missing_state_message(client_as, patch, maintainer):
    response = client_as(maintainer).post(checks_path(patch), {"context": "ci"})
    assert response.json() == {"state": ["A check must have a state."]}


@pytest.mark.parametrize("who", ["delegate", "submitter", "superuser"])
def test_create_by_others_who_may_change_the_patch(client_as, project, who):
    account = UserFactory(is_superuser=who == "superuser")
    patch = PatchFactory(
        project=project,
        delegate=account if who == "delegate" else None,
        submitter=PersonFactory(user=account if who == "submitter" else None),
    )
    response = client_as(account).post(checks_path(patch), VALID_CHECK)
    assert response.status_code == 201


def test_create_by_ci_account_with_permission(client_as, patch):
    """A CI account given ``patches.add_check`` posts checks without maintaining."""
    ci = UserFactory()
    ci.user_permissions.add(Permission.objects.get(codename="add_check"))
    response = client_as(ci).post(checks_path(patch), VALID_CHECK)
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["anonymous", "user"])
def test_create_refused(client_as, patch, who):
    client = client_as(None if who == "anonymous" else UserFactory())
    for body in (VALID_CHECK, {"state": "bogus"}):
        response = client.post(checks_path(patch), body)
        assert response.status_code == 403
        validate_response(response)
    assert not Check.objects.exists()


def test_create_on_unknown_patch_is_404(client_as, maintainer):
    response = client_as(maintainer).post(api_path("api-check-list", patch_id=999999), VALID_CHECK)
    assert response.status_code == 404
    validate_response(response)


# --- the patch's combined check -------------------------------------------------------


def test_combined_check_is_pending_without_checks(api_client, patch):
    assert combined_check(api_client, patch) == "pending"


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (["success"], "success"),
        (["success", "pending"], "pending"),
        (["success", "warning", "pending"], "warning"),
        (["warning", "fail", "success"], "fail"),
        (["pending", "pending"], "pending"),
    ],
)
def test_combined_check_worst_state_wins(api_client, patch, states, expected):
    """One check per context: fail > warning > pending > success."""
    user = UserFactory()
    for number, state in enumerate(states):
        CheckFactory(
            patch=patch, user=user, context=f"ctx{number}", state=Check.State[state.upper()]
        )
    assert combined_check(api_client, patch) == expected


def test_combined_check_counts_only_the_latest_per_user_and_context(api_client, patch):
    ci, other_ci = UserFactory.create_batch(2)
    CheckFactory(patch=patch, user=ci, context="build", state=Check.State.FAIL, date=BASE_DATE)
    CheckFactory(
        patch=patch,
        user=ci,
        context="build",
        state=Check.State.SUCCESS,
        date=BASE_DATE + datetime.timedelta(hours=1),
    )
    assert combined_check(api_client, patch) == "success"
    # the same context from another user is another check
    CheckFactory(
        patch=patch, user=other_ci, context="build", state=Check.State.WARNING, date=BASE_DATE
    )
    assert combined_check(api_client, patch) == "warning"


def test_combined_check_same_date_latest_id_wins(api_client, patch):
    ci = UserFactory()
    CheckFactory(patch=patch, user=ci, context="build", state=Check.State.FAIL, date=BASE_DATE)
    CheckFactory(patch=patch, user=ci, context="build", state=Check.State.SUCCESS, date=BASE_DATE)
    assert combined_check(api_client, patch) == "success"


def test_combined_check_in_list(api_client, project):
    failing, passing, unchecked = PatchFactory.create_batch(3, project=project)
    CheckFactory(patch=failing, state=Check.State.FAIL)
    CheckFactory(patch=passing, state=Check.State.SUCCESS)
    response = get_valid(api_client, api_path("api-patch-list"))
    assert {item["id"]: item["check"] for item in response.json()} == {
        failing.pk: "fail",
        passing.pk: "success",
        unchecked.pk: "pending",
    }


# --- query counts and the browsable API -----------------------------------------------


def test_list_query_count_is_constant(api_client, patch):
    users = UserFactory.create_batch(3)
    CheckFactory(patch=patch, user=users[0])
    path = checks_path(patch) + "?per_page=100"
    assert count_queries(api_client, path) == LIST_QUERIES
    for number in range(99):
        CheckFactory(patch=patch, user=users[number % 3])
    assert count_queries(api_client, path) == LIST_QUERIES


def test_an_empty_list_asks_whether_the_patch_exists(api_client, patch):
    """No check on the page: the page's keys, then the patch (a missing one is a 404, as
    Patchwork answers, not an empty list)."""
    assert count_queries(api_client, checks_path(patch)) == 2
    assert api_client.get(checks_path(patch)).json() == []
    missing = api_client.get(api_path("api-check-list", patch_id=999999))
    assert missing.json() == {"detail": "No Patch matches the given query."}


@pytest.mark.parametrize("version", API_VERSIONS)
def test_browsable_api(client_as, maintainer, patch, version):
    """The list renders with its creation form for those who may post checks."""
    check = CheckFactory(patch=patch)
    client = client_as(maintainer)
    response = client.get(checks_path(patch, version), {"format": "api"})
    assert response.status_code == 200
    assert b"<form" in response.content
    assert b'name="target_url"' in response.content
    response = client.get(check_path(check, version), {"format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
