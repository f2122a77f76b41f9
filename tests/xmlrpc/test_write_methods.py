"""patch_set and check_create: HTTP Basic login, Patchwork's rules (shared with the REST
API through patches.services), faults for refusals and bad input, events recorded."""

import base64
import xmlrpc.client

import pytest

from events.models import Event
from patches.models import Check, State
from tests.factories import (
    CheckFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def maintainer():
    return UserFactory(username="maintainer")


@pytest.fixture
def patch(maintainer):
    project = ProjectFactory(maintainers=[maintainer])
    return PatchFactory(project=project)


@pytest.fixture
def accepted():
    return State.objects.get(slug="accepted")


def test_patch_set_changes_state_commit_and_archive(rpc, maintainer, patch, accepted):
    rpc.login("maintainer")

    assert rpc(
        "patch_set", patch.id, {"state": accepted.id, "commit_ref": "abc123", "archived": True}
    )

    patch.refresh_from_db()
    assert (patch.state, patch.commit_ref, patch.archived) == (accepted, "abc123", True)
    event = Event.objects.get(category=Event.Category.PATCH_STATE_CHANGED, patch=patch)
    assert event.actor == maintainer


def test_patch_set_ignores_other_keys(rpc, maintainer, patch):
    rpc.login("maintainer")

    assert rpc("patch_set", patch.id, {"name": "renamed", "archived": True})

    patch.refresh_from_db()
    assert patch.name != "renamed"
    assert patch.archived is True


def test_patch_set_by_the_submitters_user(rpc, patch, accepted):
    author = UserFactory(username="author")
    patch.submitter = PersonFactory(user=author)
    patch.save()
    rpc.login("author")

    assert rpc("patch_set", patch.id, {"state": accepted.id})


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "No authentication credentials given"),
        ("Token " + "a" * 40, "Authentication scheme not supported"),
        ("Basic !!!", "Invalid authentication credentials"),
        ("Basic " + base64.b64encode(b"maintainer:wrong").decode(), "Invalid username/password"),
    ],
    ids=["none", "token", "garbled", "wrong-password"],
)
def test_patch_set_needs_valid_basic_credentials(rpc, patch, accepted, authorization, message):
    body = xmlrpc.client.dumps((patch.id, {"state": accepted.id}), "patch_set")
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = rpc.raw(body, **headers)

    with pytest.raises(xmlrpc.client.Fault, match=message):
        xmlrpc.client.loads(response.content)
    patch.refresh_from_db()
    assert patch.state.slug == "new"


def test_patch_set_refused_without_rights(rpc, patch, accepted):
    UserFactory(username="stranger")
    rpc.login("stranger")

    with pytest.raises(xmlrpc.client.Fault, match="No permissions to edit this patch"):
        rpc("patch_set", patch.id, {"state": accepted.id})


@pytest.mark.parametrize(
    ("patch_id", "params", "message"),
    [
        (999999, {"archived": True}, "Patch 999999 does not exist"),
        (None, {"state": 999}, "State 999 does not exist"),
        (None, {"archived": "maybe"}, "archived must be a boolean"),
        (None, {"commit_ref": 42}, "commit_ref must be a string"),
        (None, {"commit_ref": "x" * 300}, "no more than 255 characters"),
        (None, "state=3", "params must be a struct"),
    ],
    ids=["no-patch", "no-state", "bad-archived", "bad-commit-ref", "long-commit-ref", "no-struct"],
)
def test_patch_set_bad_input_is_a_fault(rpc, patch, patch_id, params, message):
    rpc.login("maintainer")

    with pytest.raises(xmlrpc.client.Fault, match=message):
        rpc("patch_set", patch_id or patch.id, params)


def test_check_create(rpc, maintainer, patch):
    rpc.login("maintainer")

    assert rpc("check_create", patch.id, "ci-build", "fail", "https://ci.example.org/1", "boom")

    check = Check.objects.get(patch=patch)
    assert (check.user, check.context, check.state) == (maintainer, "ci-build", Check.State.FAIL)
    assert (check.target_url, check.description) == ("https://ci.example.org/1", "boom")
    assert Event.objects.filter(category=Event.Category.CHECK_CREATED, patch=patch).exists()


def test_check_create_optional_url_and_description(rpc, patch):
    rpc.login("maintainer")

    assert rpc("check_create", patch.id, "lint", "success")

    check = Check.objects.get(patch=patch)
    assert (check.target_url, check.description) == (None, None)


@pytest.mark.parametrize(
    ("context", "state", "target_url", "message"),
    [
        ("build", "passed", "", "Invalid check state: passed"),
        ("not a slug!", "success", "", "context"),
        ("build", "success", "not a url", "target_url"),
    ],
    ids=["bad-state", "bad-context", "bad-url"],
)
def test_check_create_bad_input_is_a_fault(rpc, patch, context, state, target_url, message):
    rpc.login("maintainer")

    with pytest.raises(xmlrpc.client.Fault, match=message):
        rpc("check_create", patch.id, context, state, target_url, "")
    assert not Check.objects.filter(patch=patch).exists()


def test_check_create_refused_without_rights(rpc, patch):
    UserFactory(username="stranger")
    rpc.login("stranger")

    with pytest.raises(xmlrpc.client.Fault, match="No permissions"):
        rpc("check_create", patch.id, "build", "success")


def test_patch_check_get_combines_the_latest_check_per_context(rpc):
    ci = UserFactory()
    patch = PatchFactory()
    CheckFactory(patch=patch, user=ci, context="build", state=Check.State.FAIL)
    latest_build = CheckFactory(patch=patch, user=ci, context="build", state=Check.State.SUCCESS)
    lint = CheckFactory(patch=patch, user=ci, context="lint", state=Check.State.WARNING)

    combined = rpc("patch_check_get", patch.id)

    assert combined["state"] == "warning"
    assert combined["total"] == 2
    assert [check["id"] for check in combined["checks"]] == [latest_build.id, lint.id]


def test_patch_check_get_without_checks_is_pending(rpc):
    patch = PatchFactory()

    assert rpc("patch_check_get", patch.id) == {"state": "pending", "total": 0, "checks": []}
    assert rpc("patch_check_get", 999999) == {}
