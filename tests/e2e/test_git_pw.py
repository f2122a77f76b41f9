"""git-pw against the running server, with ``pw.server`` at /api/1.2, /api/1.3 and /api/.

git-pw reads the API version from the URL: without one it assumes 1.0, so on /api/ it
filters submitters and delegates by id and refuses the bundle writes that need 1.2.
"""

import re
from pathlib import Path

import pytest

from tests.e2e.clients import GitPw, git
from tests.e2e.conftest import MAINTAINER, PROJECT, Site, tree_of
from tests.e2e.mails import REVIEWED_BY

SERVER_PATHS = ["/api/1.2", "/api/1.3", "/api/"]
DEFAULT_STATES = ("new", "under-review")


@pytest.fixture(params=SERVER_PATHS, ids=["1.2", "1.3", "unversioned"])
def server_path(request) -> str:
    return request.param


@pytest.fixture
def git_pw(site: Site, user_home: Path, server_path: str) -> GitPw:
    """git-pw as the maintainer, authenticated with the API token."""
    return GitPw(
        user_home,
        {
            "pw.server": f"{site.url}{server_path}",
            "pw.project": PROJECT,
            "pw.token": MAINTAINER.token,
        },
    )


def listed(site: Site, **params) -> list[dict]:
    """What the API lists with git-pw's default filters (state new/under-review, not
    archived), oldest id first."""
    patches = site.api.every(
        "/api/patches/", project=PROJECT, archived="false", state=list(DEFAULT_STATES), **params
    )
    return sorted(patches, key=lambda patch: patch["id"])


def test_patch_list_csv_by_submitter_email(site, git_pw):
    single = site.api.patch(site.patch_id(site.mails.single.msgids[0]))

    rows = git_pw("patch", "list", "--submitter", "alice@example.org", "-f", "csv").csv_rows()

    assert [
        (row["ID"], row["Name"], row["Submitter"], row["State"], row["Archived"]) for row in rows
    ] == [
        (
            str(single["id"]),
            single["name"],
            "Alice User (alice@example.org)",
            single["state"],
            "no",
        )
    ]


def test_patch_list_simple_format(site, git_pw):
    pull = site.patch_id(site.mails.pull.msgid)

    output = git_pw("patch", "list", "-f", "simple", "-c", "ID", "-c", "Name", "knob").stdout

    header, rule, *rows = output.splitlines()
    assert header.split() == ["ID", "Name"]
    assert set(rule.split()) == {"-" * len(part) for part in rule.split()}
    assert [row.split(None, 1) for row in rows] == [[str(pull), site.api.patch(pull)["name"]]]


def test_patch_list_pages(site, git_pw):
    expected = [patch["id"] for patch in listed(site)]
    assert len(expected) > 10

    rows = git_pw(
        "patch", "list", "--sort", "id", "--limit", "5", "--page", "2", "-f", "csv", "-c", "ID"
    ).csv_rows()

    assert [int(row["ID"]) for row in rows] == expected[5:10]


def test_patch_list_since(site, git_pw):
    since = "2024-01-01T12:30:00"
    expected = [patch["id"] for patch in listed(site) if patch["date"] >= since]
    assert expected

    rows = git_pw(
        "patch",
        "list",
        "--since",
        since,
        "--limit",
        "100",
        "--sort",
        "id",
        "-f",
        "csv",
        "-c",
        "ID",
    ).csv_rows()

    assert [int(row["ID"]) for row in rows] == expected


@pytest.fixture
def own_patch(site: Site, server_path: str) -> int:
    """A patch of the long series that only this server URL's update test changes."""
    index = SERVER_PATHS.index(server_path) + 1
    return site.patch_id(site.mails.bulk.msgids[index])


def test_patch_update_then_list_by_state_delegate_archived(site, git_pw, own_patch):
    shown = git_pw(
        "patch",
        "update",
        "--state",
        "changes-requested",
        "--delegate",
        MAINTAINER.username,
        "--commit-ref",
        "feedc0de",
        "--archived",
        "true",
        "-f",
        "csv",
        str(own_patch),
    ).csv_rows()

    properties = {row["Property"]: row["Value"] for row in shown}
    assert (
        properties["State"],
        properties["Delegate"],
        properties["Archived"],
        properties["Commit Ref"],
    ) == ("changes-requested", MAINTAINER.username, "True", "feedc0de")
    stored = site.api.patch(own_patch)
    assert (
        stored["state"],
        stored["delegate"]["username"],
        stored["archived"],
        stored["commit_ref"],
    ) == ("changes-requested", MAINTAINER.username, True, "feedc0de")

    delegate = (
        MAINTAINER.username
        if git_pw.settings["pw.server"].endswith(".3")
        or git_pw.settings["pw.server"].endswith(".2")
        else str(stored["delegate"]["id"])
    )
    rows = git_pw(
        "patch",
        "list",
        "--archived",
        "--state",
        "changes-requested",
        "--delegate",
        delegate,
        "-f",
        "csv",
        "-c",
        "ID",
        "-c",
        "Delegate",
    ).csv_rows()
    assert {"ID": str(own_patch), "Delegate": MAINTAINER.username} in rows


def test_patch_update_with_basic_auth(site, user_home, server_path):
    patch_id = site.patch_id(site.mails.bulk.msgids[10 + SERVER_PATHS.index(server_path)])
    git_pw = GitPw(
        user_home,
        {
            "pw.server": f"{site.url}{server_path}",
            "pw.project": PROJECT,
            "pw.username": MAINTAINER.username,
            "pw.password": MAINTAINER.password,
        },
    )

    git_pw("patch", "update", "--state", "rejected", str(patch_id))

    assert site.api.patch(patch_id)["state"] == "rejected"


def test_patch_update_refused_without_rights(site, user_home, server_path):
    patch_id = site.patch_id(site.mails.bulk.msgids[13])
    git_pw = GitPw(
        user_home,
        {"pw.server": f"{site.url}{server_path}", "pw.project": PROJECT, "pw.token": "d4" * 20},
    )

    git_pw("patch", "update", "--state", "rejected", str(patch_id), expect_failure=True)

    assert site.api.patch(patch_id)["state"] == "new"


def test_patch_show(site, git_pw):
    patch_id = site.patch_id(site.mails.series_v1.msgids[1])

    rows = git_pw("patch", "show", "-f", "csv", str(patch_id)).csv_rows()

    properties = {row["Property"]: row["Value"] for row in rows if row["Property"]}
    assert properties["ID"] == str(patch_id)
    assert properties["Message ID"] == site.mails.series_v1.msgids[1]
    assert properties["Submitter"] == "Sam Sender (sam@example.org)"
    assert properties["Project"] == "End-to-end project"
    assert re.fullmatch(
        rf"{site.series_ids['v1']}\s+frob: count the frobbed values", properties["Series"]
    )


def test_patch_download_mbox_and_diff(site, git_pw, tmp_path):
    patch_id = site.patch_id(site.mails.series_v1.msgids[1])

    git_pw("patch", "download", str(patch_id), str(tmp_path))
    git_pw("patch", "download", "--diff", str(patch_id), str(tmp_path))

    (mbox,) = tmp_path.glob("*.patch")
    (diff,) = tmp_path.glob("*.diff")
    assert mbox.stem == diff.stem
    assert REVIEWED_BY in mbox.read_text()
    assert diff.read_text().startswith("diff --git a/frob.c b/frob.c")


def test_patch_apply_brings_the_series_before_it(site, git_pw, checkout, user_home):
    """git-pw asks for ``?series=*``: applying patch 2 applies patch 1 first."""
    v1 = site.mails.series_v1

    git_pw("patch", "apply", str(site.patch_id(v1.msgids[2])), cwd=checkout)

    assert tree_of(checkout, user_home) == site.mails.repo.tree(v1.commits[1])
    first = git("log", "-1", "--format=%B", "HEAD~1", cwd=checkout, home=user_home)
    assert first.startswith("frob: add a counter")
    assert REVIEWED_BY in first


def test_patch_apply_without_deps(site, git_pw, checkout, user_home):
    single = site.mails.single

    git_pw("patch", "apply", "--no-deps", str(site.patch_id(single.msgids[0])), cwd=checkout)

    assert tree_of(checkout, user_home) == site.mails.repo.tree(single.commits[0])


def test_series_list_and_show(site, git_pw):
    rows = git_pw("series", "list", "-f", "csv", "--limit", "100").csv_rows()

    names = {row["ID"]: row["Name"] for row in rows}
    assert names[str(site.series_ids["v1"])] == "frob: count the frobbed values"
    assert names[str(site.series_ids["v2"])] == "frob: count the frobbed values"

    shown = git_pw("series", "show", "-f", "csv", str(site.series_ids["v2"])).csv_rows()
    properties = [(row["Property"], row["Value"]) for row in shown]
    assert ("Version", "2") in properties
    patches = [value for prop, value in properties if prop in ("Patches", "")]
    assert len([value for value in patches if "frob" in value or "docs" in value]) == 3


def test_series_download_and_apply(site, git_pw, checkout, user_home, tmp_path):
    v2 = site.mails.series_v2
    series_id = str(site.series_ids["v2"])

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    git_pw("series", "download", series_id, str(downloads))
    git_pw("series", "apply", series_id, cwd=checkout)

    (mbox,) = downloads.iterdir()
    assert mbox.read_text().count("\nSubject: ") == 3
    assert tree_of(checkout, user_home) == site.mails.repo.tree(v2.commits[-1])


@pytest.mark.parametrize("server_path", ["/api/1.2", "/api/1.3"], indirect=True)
def test_bundle_lifecycle(site, git_pw, server_path, checkout, user_home, tmp_path):
    """create/remove/add/update/list/show/download/apply/delete.

    git-pw resolves a bundle name for reading only: add, remove, update and delete put
    their argument in the URL as given, so they take the bundle's id. ``add`` sends the
    new patches first, then the bundle's; the server keeps the order it is given (the
    mbox follows it) while the API lists a bundle's patches by date, as Patchwork does.
    """
    v1 = site.mails.series_v1
    first, second, third = (str(site.patch_id(msgid)) for msgid in v1.msgids[1:])
    single = str(site.patch_id(site.mails.single.msgids[0]))
    name = f"review-{server_path.rsplit('/', 1)[-1]}"

    git_pw("bundle", "create", "--public", name, first, second, single)
    bundle = _bundle(site, name)
    assert _patch_ids(bundle) == _by_date(site, [first, second, single])
    assert bundle["public"] is True
    bundle_id = str(bundle["id"])

    git_pw("bundle", "remove", bundle_id, single)
    git_pw("bundle", "add", bundle_id, third)
    git_pw("bundle", "update", "--private", bundle_id)
    bundle = _bundle(site, name)
    assert _patch_ids(bundle) == _by_date(site, [third, first, second])
    assert bundle["public"] is False

    rows = git_pw("bundle", "list", "-f", "csv").csv_rows()
    assert {"ID": bundle_id, "Name": name, "Owner": MAINTAINER.username, "Public": "no"} in rows
    shown = git_pw("bundle", "show", "-f", "csv", name).csv_rows()
    assert ("Name", name) in [(row["Property"], row["Value"]) for row in shown]

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    git_pw("bundle", "download", name, str(downloads))
    (mbox,) = downloads.iterdir()
    assert mbox.read_text().count("\nX-Patchwork-Id: ") == 3
    git_pw("bundle", "apply", name, cwd=checkout)
    assert tree_of(checkout, user_home) == site.mails.repo.tree(v1.commits[-1])

    git_pw("bundle", "delete", bundle_id)
    assert _bundle(site, name) is None


def _by_date(site: Site, patch_ids: list[str]) -> list[str]:
    return sorted(
        patch_ids, key=lambda patch_id: (site.api.patch(int(patch_id))["date"], int(patch_id))
    )


def _patch_ids(bundle: dict) -> list[str]:
    return [str(patch["id"]) for patch in bundle["patches"]]


def _bundle(site: Site, name: str) -> dict | None:
    response = site.api.get("/api/bundles/", token=MAINTAINER.token, project=PROJECT, q=name)
    assert response.status_code == 200, response.text
    found = [bundle for bundle in response.json() if bundle["name"] == name]
    return found[0] if found else None


@pytest.mark.parametrize("server_path", ["/api/"], indirect=True)
def test_bundle_writes_need_a_versioned_url(git_pw):
    """Without a version in pw.server git-pw assumes 1.0 and refuses bundle writes."""
    result = git_pw("bundle", "create", "never", "1", expect_failure=True)

    assert "1.2" in result.stderr


@pytest.fixture
def git_pw_1_4(site: Site, user_home: Path) -> GitPw:
    return GitPw(
        user_home,
        {"pw.server": f"{site.url}/api/1.4", "pw.project": PROJECT, "pw.token": MAINTAINER.token},
    )


def test_series_apply_with_deps_on_1_4(site, git_pw_1_4, checkout, user_home):
    """``Depends-on:`` in the cover letter makes the single patch's series a dependency
    (API 1.4 ``dependencies``), which ``series apply --deps`` applies first."""
    series_id = site.series_ids["dependent"]
    series = site.api.json(f"/api/1.4/series/{series_id}/")
    assert [url.rstrip("/").rsplit("/", 1)[-1] for url in series["dependencies"]] == [
        str(site.series_ids["single"])
    ]

    git_pw_1_4("series", "apply", "--deps", str(series_id), cwd=checkout)

    assert tree_of(checkout, user_home) == site.mails.repo.tree(site.mails.dependent.commits[0])


def test_patch_apply_takes_the_patch_series_not_its_dependencies_on_1_4(
    site, git_pw_1_4, checkout, user_home
):
    """``patch apply`` downloads ``?series=*``: the patch after its earlier series-mates,
    without the series it depends on (as Patchwork's download does; ``series apply
    --deps`` brings those), so it applies once the dependency is in."""
    single = site.patch_id(site.mails.single.msgids[0])
    patch_id = site.patch_id(site.mails.dependent.msgids[1])

    git_pw_1_4("patch", "apply", str(single), cwd=checkout)
    git_pw_1_4("patch", "apply", str(patch_id), cwd=checkout)

    assert tree_of(checkout, user_home) == site.mails.repo.tree(site.mails.dependent.commits[0])
