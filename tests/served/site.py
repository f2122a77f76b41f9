"""A real gunicorn serving a fresh database with demo data and three identities, for the
tiers that attack the server over HTTP (tests/hardening, tests/fuzz).

The data is what ``manage.py demo`` stores (project ``demo``, its maintainer carol, the
sample mail of fixtures/demo.mbox: patches, series, a cover letter, comments), plus a
plain user, a check and a bundle, all made with the management commands and the REST API
as an administrator and users would.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.e2e.server import Database, Server, manage, server_environment

BROWSER_MAINTAINER = "maria"
BROWSER_PASSWORD = "maria-browser-password"


@dataclass(frozen=True)
class Identity:
    """Who a request is made as: ``token`` None for anonymous."""

    name: str
    token: str | None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"} if self.token else {}


@dataclass
class ServedSite:
    server: Server
    database: Database
    environment: dict[str, str]
    identities: dict[str, Identity]

    @property
    def url(self) -> str:
        return self.server.url

    def get(self, path: str, identity: str = "anonymous", **kwargs) -> requests.Response:
        headers = {**self.identities[identity].headers(), **kwargs.pop("headers", {})}
        return requests.get(f"{self.url}{path}", headers=headers, timeout=30, **kwargs)


def _populate(environment: dict[str, str]) -> dict[str, Identity]:
    manage(environment, "migrate", "--no-input")
    demo_output = manage(environment, "demo").stdout.decode()
    maintainer_token = demo_output.split("API token of carol: ", 1)[1].split()[0]
    user_token = secrets.token_hex(20)
    manage(
        environment,
        "user",
        "add",
        "mallory",
        "--email",
        "mallory@example.org",
        "--token",
        user_token,
    )
    # A maintainer who logs in with a password (the browser checks of the browsable API).
    manage(
        environment,
        "user",
        "add",
        BROWSER_MAINTAINER,
        "--email",
        "maria@example.org",
        "--password",
        BROWSER_PASSWORD,
    )
    manage(environment, "project", "maintainer", "demo", BROWSER_MAINTAINER)
    return {
        "anonymous": Identity("anonymous", None),
        "user": Identity("user", user_token),
        "maintainer": Identity("maintainer", maintainer_token),
    }


def _add_rows(site: ServedSite) -> None:
    """A check on a patch and a public bundle of the plain user, through the API."""
    maintainer = site.identities["maintainer"].headers()
    patches = requests.get(f"{site.url}/api/patches/", timeout=30).json()
    if not patches:
        return
    first = patches[0]["id"]
    requests.post(
        f"{site.url}/api/patches/{first}/checks/",
        json={"state": "success", "context": "ci", "target_url": "https://ci.example.org/1"},
        headers=maintainer,
        timeout=30,
    ).raise_for_status()
    requests.post(
        f"{site.url}/api/bundles/",
        json={"name": "mine", "public": True, "patches": [patch["id"] for patch in patches[:3]]},
        headers=site.identities["user"].headers(),
        timeout=30,
    ).raise_for_status()


@contextmanager
def served_site(
    workdir: Path, suite_database_url: str | None, **extra_environment: str
) -> Iterator[ServedSite]:
    """A populated server for the duration of the block; stopped and its database
    dropped afterwards, pass or fail."""
    database = Database.create(workdir, suite_database_url)
    try:
        environment = {**server_environment(database.url, workdir / "data"), **extra_environment}
        identities = _populate(environment)
        server = Server(environment, workdir / "gunicorn.log")
        server.start()
        try:
            site = ServedSite(server, database, environment, identities)
            _add_rows(site)
            yield site
        finally:
            server.stop()
    finally:
        database.drop()
