"""Session fixtures of the end-to-end tier: one database, one gunicorn, one data set.

Everything is set up the way an administrator and a mailing list would: accounts and
the project through ``manage.py`` commands, mail through ``manage.py parsemail`` (and
``parsearchive`` for a long series), all in subprocesses against the running server's
database. The clients then run as subprocesses with a HOME of their own.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.e2e.clients import git
from tests.e2e.mails import LIST_ADDRESS, LIST_ID, MailSet, build_mail_set
from tests.e2e.server import Database, Server, manage, server_environment

PROJECT = "e2e"
PROJECT_NAME = "End-to-end project"


@dataclass(frozen=True)
class Account:
    username: str
    email: str
    password: str
    token: str


MAINTAINER = Account("maint", "maint@example.org", "maint-password", "a1" * 20)
SUBMITTER = Account("alice", "alice@example.org", "alice-password", "b2" * 20)
CI_BOT = Account("ci-bot", "ci@example.org", "ci-password", "c3" * 20)
OUTSIDER = Account("olivia", "olivia@example.org", "olivia-password", "d4" * 20)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this directory belongs to the ``e2e`` tier."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failing test's report ends with the server's log, where its 500s are."""
    outcome = yield
    report = outcome.get_result()
    site_under_test = getattr(item, "funcargs", {}).get("site")
    if report.failed and isinstance(site_under_test, Site):
        report.sections.append(("gunicorn log", site_under_test.server.log()))


class Api:
    """Reads the server's state back through its REST API (the tier's assertions)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, token: str | None = None, **params) -> requests.Response:
        headers = {"Authorization": f"Token {token}"} if token else {}
        return self.session.get(
            f"{self.base_url}{path}", params=params, headers=headers, timeout=30
        )

    def json(self, path: str, **params):
        response = self.get(path, **params)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def patch(self, patch_id: int) -> dict:
        return self.json(f"/api/patches/{patch_id}/")

    def every(self, path: str, **params) -> list[dict]:
        """All items of a list endpoint, following Link: rel="next"."""
        items: list[dict] = []
        response = self.get(path, per_page=250, **params)
        while True:
            assert response.status_code == 200, response.text
            items += response.json()
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return items
            response = self.session.get(next_url, timeout=30)


@dataclass
class Site:
    """The running server and what was put into it."""

    server: Server
    environment: dict[str, str]
    mails: MailSet
    api: Api
    patch_ids: dict[str, int]
    series_ids: dict[str, int]
    workdir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def patch_id(self, msgid: str) -> int:
        return self.patch_ids[msgid]

    def shell(self, code: str) -> str:
        """Run Python in ``manage.py shell`` against the server's database."""
        return (
            manage(self.environment, "shell", "--no-imports", "-c", code).stdout.decode().strip()
        )


@pytest.fixture(scope="session")
def e2e_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def e2e_database(e2e_workdir: Path) -> Iterator[Database]:
    database = Database.create(e2e_workdir, os.environ.get("DATABASE_URL"))
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture(scope="session")
def site(e2e_workdir: Path, e2e_database: Database) -> Iterator[Site]:
    data_dir = e2e_workdir / "data"
    data_dir.mkdir()
    environment = server_environment(e2e_database.url, data_dir)
    manage(environment, "migrate", "--no-input")
    server = Server(environment, log_path=e2e_workdir / "gunicorn.log")
    try:
        server.start()
        mails = build_mail_set(e2e_workdir)
        _create_accounts(environment)
        _ingest(environment, mails, e2e_workdir)
        api = Api(server.url)
        yield Site(
            server=server,
            environment=environment,
            mails=mails,
            api=api,
            patch_ids={
                p["msgid"]: p["id"]
                for p in api.every("/api/patches/", project=PROJECT, archived="false")
            },
            series_ids=_series_ids(api, mails),
            workdir=e2e_workdir,
        )
    finally:
        server.stop()


def _create_accounts(environment: dict[str, str]) -> None:
    manage(
        environment,
        "project",
        "add",
        "--show-dependencies",
        PROJECT,
        "--name",
        PROJECT_NAME,
        "--listid",
        LIST_ID,
        "--listemail",
        LIST_ADDRESS,
    )
    for account in (MAINTAINER, SUBMITTER, CI_BOT, OUTSIDER):
        manage(
            environment,
            "user",
            "add",
            account.username,
            "--email",
            account.email,
            "--password",
            account.password,
            "--token",
            account.token,
        )
    for maintainer in (MAINTAINER, CI_BOT):
        manage(environment, "project", "maintainer", PROJECT, maintainer.username)


def _ingest(environment: dict[str, str], mails: MailSet, workdir: Path) -> None:
    for mail in mails.delivery_order():
        manage(environment, "parsemail", stdin=mail.raw)
    archive = workdir / "bulk.mbox"
    archive.write_bytes(
        b"".join(
            b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + mail.raw + b"\n"
            for mail in mails.bulk.mails
        )
    )
    manage(environment, "parsearchive", str(archive))


def _series_ids(api: Api, mails: MailSet) -> dict[str, int]:
    """Series ids by the label of their first mail (``series-v1-0``, ``bulk-0``...)."""
    by_msgid = {}
    for series in api.every("/api/series/", project=PROJECT):
        for patch in series["patches"]:
            by_msgid[patch["msgid"]] = series["id"]
        if series.get("cover_letter"):
            by_msgid[series["cover_letter"]["msgid"]] = series["id"]
    return {
        "v1": by_msgid[mails.series_v1.msgids[0]],
        "v2": by_msgid[mails.series_v2.msgids[0]],
        "single": by_msgid[mails.single.msgids[0]],
        "dependent": by_msgid[mails.dependent.msgids[0]],
        "bulk": by_msgid[mails.bulk.msgids[0]],
    }


@pytest.fixture(scope="session")
def user_home(site: Site) -> Path:
    """A user's HOME with a .gitconfig naming them, and a clone of the project at main."""
    home = site.workdir / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = E2E User\n\temail = e2e-user@example.org\n[pw]\n\tproject = {PROJECT}\n"
    )
    return home


@pytest.fixture
def checkout(site: Site, user_home: Path, tmp_path: Path) -> Path:
    """A fresh clone of the scratch repository, on main (the base of every submission)."""
    target = tmp_path / "checkout"
    git(
        "clone",
        "-q",
        "--branch",
        "main",
        str(site.mails.repo.path),
        str(target),
        cwd=tmp_path,
        home=user_home,
    )
    return target


def tree_of(checkout: Path, home: Path, revision: str = "HEAD") -> str:
    return git("rev-parse", f"{revision}^{{tree}}", cwd=checkout, home=home).strip()
