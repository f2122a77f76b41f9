"""The read methods: Patchwork's struct shapes, searches, filters and max_count."""

import datetime
import xmlrpc.client

import pytest

from patches.models import Check, State
from tests.factories import (
    CheckFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def text(value) -> str:
    """A field Patchwork sends as base64 (``xmlrpc.client.Binary``), decoded."""
    assert isinstance(value, xmlrpc.client.Binary), f"{value!r} is not sent as base64"
    return value.data.decode("utf-8")


def test_pw_rpc_version(rpc):
    assert rpc("pw_rpc_version") == [1, 3, 0]


def test_project_list_and_search(rpc):
    kernel = ProjectFactory(linkname="linux-kernel", name="Linux")
    ProjectFactory(linkname="qemu", name="QEMU")

    assert [p["linkname"] for p in rpc("project_list", "", 0)] == ["linux-kernel", "qemu"]
    assert rpc("project_list", "KERNEL", 0) == [
        {"id": kernel.id, "linkname": "linux-kernel", "name": "Linux"}
    ]
    assert [p["linkname"] for p in rpc("project_list", "", 1)] == ["linux-kernel"]
    assert [p["linkname"] for p in rpc("project_list", "", -1)] == ["qemu"]


def test_project_get_unknown_or_non_numeric_id_is_empty(rpc):
    project = ProjectFactory()

    assert rpc("project_get", project.id)["linkname"] == project.linkname
    assert rpc("project_get", 999999) == {}
    assert rpc("project_get", "abc") == {}


def test_person_list_matches_name_or_email_and_shapes(rpc):
    user = UserFactory(username="alice")
    alice = PersonFactory(name="Alice Doe", email="alice@example.org", user=user)
    nameless = PersonFactory(name=None, email="bob@example.org")

    assert [p["id"] for p in rpc("person_list", "alice", 0)] == [alice.id]
    assert [p["id"] for p in rpc("person_list", "doe", 0)] == [alice.id]
    found = rpc("person_get", nameless.id)
    assert found["name"] == "bob@example.org", "a nameless person is named by the address"
    assert text(found["user"]) == "None"
    assert text(rpc("person_get", alice.id)["user"]) == "alice"
    assert rpc("person_get", 999999) == {}


def test_patch_struct_has_patchworks_fields(rpc):
    delegate = UserFactory(username="maintainer")
    submitter = PersonFactory(name="Sam Sender", email="sam@example.org")
    patch = PatchFactory(
        name="[PATCH v2 1/3] net: fix the frobnicator",
        submitter=submitter,
        delegate=delegate,
        date=datetime.datetime(2024, 2, 3, 4, 5, 6),
        commit_ref=None,
    )

    found = rpc("patch_get", patch.id)

    assert set(found) == {
        *("id", "date", "filename", "msgid", "name", "project", "project_id", "state"),
        *("state_id", "archived", "submitter", "submitter_id", "delegate", "delegate_id"),
        *("commit_ref", "hash"),
    }
    assert text(found["date"]) == "2024-02-03 04:05:06"
    assert found["filename"] == "PATCH-v2-1-3-net-fix-the-frobnicator"
    assert found["msgid"] == patch.msgid
    assert text(found["project"]) == patch.project.name
    assert text(found["state"]) == "New"
    assert found["state_id"] == patch.state_id
    assert found["archived"] is False
    assert text(found["submitter"]) == "Sam Sender <sam@example.org>"
    assert found["submitter_id"] == submitter.id
    assert text(found["delegate"]) == "maintainer"
    assert found["delegate_id"] == delegate.id
    assert found["commit_ref"] == ""
    assert found["hash"] == patch.hash


def test_patch_without_delegate_reads_none_and_zero(rpc):
    patch = PatchFactory(delegate=None)

    found = rpc("patch_get", patch.id)

    assert text(found["delegate"]) == "None"
    assert found["delegate_id"] == 0


def test_patch_get_unknown_is_empty(rpc):
    assert rpc("patch_get", 424242) == {}


@pytest.fixture
def two_projects():
    """Three patches in one project (one archived, one accepted), one in another."""
    project = ProjectFactory(linkname="alpha")
    other = ProjectFactory(linkname="beta")
    accepted = State.objects.get(slug="accepted")
    first = PatchFactory(project=project, name="first change")
    second = PatchFactory(project=project, name="second change", archived=True)
    third = PatchFactory(project=project, name="third fix", state=accepted)
    elsewhere = PatchFactory(project=other, name="other change")
    return project, [first, second, third], elsewhere


def ids(patches) -> list[int]:
    return [patch["id"] for patch in patches]


def test_patch_list_filters(rpc, two_projects):
    project, (first, second, third), elsewhere = two_projects

    assert ids(rpc("patch_list", {})) == [first.id, second.id, third.id, elsewhere.id]
    assert ids(rpc("patch_list", {"project_id": project.id})) == [first.id, second.id, third.id]
    assert ids(rpc("patch_list", {"project_id": project.id, "archived": False})) == [
        first.id,
        third.id,
    ]
    assert ids(rpc("patch_list", {"state_id": third.state_id})) == [third.id]
    assert ids(rpc("patch_list", {"name__icontains": "FIX"})) == [third.id]
    assert ids(rpc("patch_list", {"hash": second.hash})) == [second.id]
    assert ids(rpc("patch_list", {"submitter_id": elsewhere.submitter_id})) == [elsewhere.id]
    assert ids(rpc("patch_list", {"id__in": [first.id, third.id]})) == [first.id, third.id]


def test_patch_list_msgid_with_or_without_brackets(rpc, two_projects):
    _project, (first, *_others), _elsewhere = two_projects

    assert ids(rpc("patch_list", {"msgid": first.msgid})) == [first.id]
    assert ids(rpc("patch_list", {"msgid": first.msgid.strip("<>")})) == [first.id]


def test_patch_list_max_count_first_and_last(rpc, two_projects):
    project, (first, second, third), _elsewhere = two_projects
    in_project = {"project_id": project.id}

    assert ids(rpc("patch_list", {**in_project, "max_count": 2})) == [first.id, second.id]
    assert ids(rpc("patch_list", {**in_project, "max_count": -2})) == [second.id, third.id]
    assert ids(rpc("patch_list", {**in_project, "max_count": -10})) == [
        first.id,
        second.id,
        third.id,
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {"content": "x"},
        {"name__regex": ".*"},
        {"id": "not-a-number"},
        {"project_id": 999999},
        {"date__gt": "not a date"},
        {"name__year": 2024},
    ],
    ids=["unknown-field", "unknown-lookup", "bad-id", "missing-project", "bad-date", "no-year"],
)
def test_patch_list_invalid_filter_is_empty(rpc, two_projects, filters):
    """An unknown field or lookup, or a value that cannot match, lists nothing."""
    assert rpc("patch_list", filters) == []


def test_patch_list_filter_must_be_a_struct(rpc):
    with pytest.raises(xmlrpc.client.Fault, match="struct"):
        rpc("patch_list", "project_id=1")


def test_patch_list_delegate_id_is_a_person_of_the_delegate(rpc):
    """pwclient's ``list -d NAME`` passes the ids of the people person_list found."""
    maintainer = UserFactory(username="maint")
    person = PersonFactory(email="maint@example.org", user=maintainer)
    delegated = PatchFactory(delegate=maintainer)
    PatchFactory(delegate=None)

    assert ids(rpc("patch_list", {"delegate_id": person.id})) == [delegated.id]


def test_patch_list_by_series(rpc):
    series = SeriesFactory()
    in_series = PatchFactory(project=series.project, series=series, number=1)
    PatchFactory(project=series.project)

    assert ids(rpc("patch_list", {"series": series.id})) == [in_series.id]


def test_patch_get_by_hash_and_project_hash(rpc, two_projects):
    _project, (first, *_others), _elsewhere = two_projects

    assert rpc("patch_get_by_hash", first.hash)["id"] == first.id
    assert rpc("patch_get_by_project_hash", "alpha", first.hash)["id"] == first.id
    assert rpc("patch_get_by_project_hash", "beta", first.hash) == {}
    assert rpc("patch_get_by_hash", "0" * 40) == {}


def test_patch_get_by_hash_shared_by_two_projects_is_empty(rpc):
    one = PatchFactory(hash="a" * 40)
    PatchFactory(hash="a" * 40)

    assert rpc("patch_get_by_hash", "a" * 40) == {}
    assert rpc("patch_get_by_project_hash", one.project.linkname, "a" * 40)["id"] == one.id


def test_patch_get_mbox_carries_reply_trailers(rpc):
    patch = PatchFactory(name="[PATCH] fix it")
    PatchCommentFactory(patch=patch, content="Nice.\n\nAcked-by: Ann <ann@example.org>\n")

    mbox = rpc("patch_get_mbox", patch.id)

    assert mbox.startswith("From ")
    assert f"X-Patchwork-Id: {patch.id}" in mbox
    assert "Acked-by: Ann <ann@example.org>" in mbox
    assert patch.diff in mbox
    assert rpc("patch_get_mbox", 999999) == ""


def test_patch_get_diff(rpc):
    patch = PatchFactory()

    assert rpc("patch_get_diff", patch.id) == patch.diff
    assert rpc("patch_get_diff", 999999) == ""


def test_state_list_in_order_and_search(rpc):
    states = rpc("state_list", "", 0)

    assert [s["name"] for s in states] == list(
        State.objects.order_by("ordering").values_list("name", flat=True)
    )
    assert [s["name"] for s in rpc("state_list", "accept", 0)] == ["Accepted"]
    accepted = State.objects.get(slug="accepted")
    assert rpc("state_get", accepted.id) == {"id": accepted.id, "name": "Accepted"}
    assert rpc("state_get", 999) == {}


@pytest.fixture
def checks():
    ci = UserFactory(username="ci-bot")
    other = UserFactory(username="other-bot")
    patch = PatchFactory(name="[PATCH] checked")
    build = CheckFactory(patch=patch, user=ci, context="build", state=Check.State.SUCCESS)
    lint = CheckFactory(patch=patch, user=other, context="lint", state=Check.State.FAIL)
    unrelated = CheckFactory(context="build")
    return patch, build, lint, unrelated


def test_check_struct(rpc, checks):
    patch, build, _lint, _unrelated = checks

    found = rpc("check_get", build.id)

    assert text(found["date"]) == str(build.date)
    assert text(found["patch"]) == "[PATCH] checked"
    assert found["patch_id"] == patch.id
    assert text(found["user"]) == "ci-bot"
    assert found["user_id"] == build.user_id
    assert found["state"] == "success"
    assert found["target_url"] == build.target_url
    assert found["description"] == build.description
    assert found["context"] == "build"
    assert rpc("check_get", 999999) == {}


def test_check_list_filters(rpc, checks):
    patch, build, lint, unrelated = checks

    assert ids(rpc("check_list", {})) == [build.id, lint.id, unrelated.id]
    assert ids(rpc("check_list", {"patch_id": patch.id})) == [build.id, lint.id]
    assert ids(rpc("check_list", {"project_id": unrelated.patch.project_id})) == [unrelated.id]
    assert ids(rpc("check_list", {"patch_id": patch.id, "max_count": -1})) == [lint.id]


@pytest.mark.parametrize("user", ["other-bot", "OTHER"], ids=["username", "icontains"])
def test_check_list_by_username(rpc, checks, user):
    _patch, _build, lint, _unrelated = checks
    key = "user" if user == "other-bot" else "user__icontains"

    assert ids(rpc("check_list", {key: user})) == [lint.id]


def test_check_list_by_user_id(rpc, checks):
    _patch, build, _lint, _unrelated = checks

    assert ids(rpc("check_list", {"user": str(build.user_id)})) == [build.id]
    assert ids(rpc("check_list", {"user": build.user_id})) == [build.id]


def test_check_with_null_url_and_description_is_marshalled(rpc):
    check = CheckFactory(target_url=None, description=None)

    found = rpc("check_get", check.id)

    assert (found["target_url"], found["description"]) == ("", "")
