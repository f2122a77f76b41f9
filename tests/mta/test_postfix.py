"""List mail through a real postfix, across a database outage: deferred, never bounced,
never lost, stored once.

A series made by ``git format-patch`` is sent with ``git send-email`` over SMTP to a
postfix instance on loopback, which delivers it through the documented alias to
``patchwork-parsemail`` of an installed copy, run by postfix as a non-root user (the
alias file's owner, nobody). Then PostgreSQL is stopped and a second version of the
series is sent: postfix must defer each mail (``postqueue -j`` and the mail log), bounce
none, while parsemail keeps a copy in the quarantine's spool directory. PostgreSQL is
started again, the queue flushed (``postqueue -f``), and every mail must be in the API
exactly once: whichever of the pick-up (after the first successful delivery) and
postfix's retry comes second finds a duplicate. The same with ingestd running.
"""

import collections
import email
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.mta.site import MAIL_DOMAIN, Site

PROJECT = "mta"
LIST_ID = "mta.example.org"
ALIAS = "mta-list"
RECIPIENT = f"{ALIAS}@{MAIL_DOMAIN}"
SENDER = ("Sam Sender", "sam@example.org")
PATCHES = 3


@pytest.fixture(params=["parsemail", "ingestd"])
def site(request, installed_prefix) -> Iterator[Site]:
    site = Site.create(installed_prefix)
    try:
        site.start_database()
        site.write_config()
        site.manage("migrate", "--no-input", "-v0")
        site.manage(
            "project", "add", PROJECT, "--name", "MTA tier", "--listid", LIST_ID,
            "--listemail", f"{PROJECT}@example.org",
        )  # fmt: skip
        site.start_server()
        site.start_postfix(ALIAS)
        if request.param == "ingestd":
            site.start_ingestd()
        yield site
    finally:
        site.close()


class Git:
    """A scratch repository whose commits become list mail."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.home = path.parent / "home"
        self.home.mkdir()
        path.mkdir()
        self("init", "-q", "-b", "main")
        self.commit("README", "A project.\n", "Initial commit")

    def __call__(self, *arguments: str) -> str:
        environment = dict(
            os.environ,
            HOME=str(self.home),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME=SENDER[0],
            GIT_AUTHOR_EMAIL=SENDER[1],
            GIT_COMMITTER_NAME=SENDER[0],
            GIT_COMMITTER_EMAIL=SENDER[1],
        )
        completed = subprocess.run(
            ["git", *arguments],
            cwd=self.path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, f"git {arguments}: {completed.stderr}"
        return completed.stdout

    def commit(self, name: str, content: str, message: str) -> None:
        (self.path / name).write_text(content)
        self("add", name)
        self("commit", "-q", "-m", message)

    def series(self, version: int) -> list[Path]:
        """A cover letter and PATCHES patches, as git format-patch --thread writes them."""
        branch = f"v{version}"
        self("checkout", "-q", "-b", branch, "main")
        for number in range(1, PATCHES + 1):
            self.commit(
                f"file{number}.c",
                f"int value{number} = {number * version};\n",
                f"Add value {number}\n\nVersion {version} of change {number}.",
            )
        self("checkout", "-q", "main")
        output = self.path.parent / f"outgoing-{branch}"
        self(
            "format-patch", "-q", "--cover-letter", "--thread", f"-v{version}",
            f"--add-header=List-Id: <{LIST_ID}>", "-o", str(output), f"main..{branch}",
        )  # fmt: skip
        files = sorted(output.glob("*.patch"))
        cover = files[0]
        cover.write_text(
            cover.read_text()
            .replace("*** SUBJECT HERE ***", f"Values, version {version}")
            .replace("*** BLURB HERE ***", "Three values for the project.")
        )
        return files

    def send_email(self, files: list[Path], port: int) -> None:
        self(
            "send-email", "--quiet", "--confirm=never", "--suppress-cc=all", "--no-thread",
            "--no-validate", "--smtp-server=127.0.0.1", f"--smtp-server-port={port}",
            f"--from={SENDER[0]} <{SENDER[1]}>", f"--to={RECIPIENT}",
            *map(str, files),
        )  # fmt: skip


def message_ids(files: list[Path]) -> list[str]:
    return [email.message_from_bytes(path.read_bytes())["Message-Id"] for path in files]


def every(site: Site, path: str, **params) -> list[dict]:
    items, url = [], f"{site.url}{path}"
    params = {"project": PROJECT, "per_page": 100, **params}
    while url:
        response = requests.get(url, params=params, timeout=30)
        assert response.status_code == 200, response.text
        items += response.json()
        url, params = response.links.get("next", {}).get("url"), None
    return items


def stored_message_ids(site: Site) -> collections.Counter:
    stored = every(site, "/api/1.3/patches/") + every(site, "/api/1.3/covers/")
    return collections.Counter(item["msgid"] for item in stored)


def statuses(site: Site) -> collections.Counter:
    return collections.Counter(site.delivery_statuses(RECIPIENT))


def test_list_mail_is_deferred_during_a_database_outage_and_stored_once(site, tmp_path):
    git = Git(tmp_path / "repo")
    first = git.series(version=1)
    git.send_email(first, site.smtp_port)
    site.wait_for(lambda: statuses(site)["sent"] == len(first), "the first series delivered")

    [series] = every(site, "/api/1.3/series/")
    assert (series["version"], series["total"], series["received_all"]) == (1, PATCHES, True)
    assert series["cover_letter"]["msgid"] == message_ids(first)[0]
    assert [patch["name"] for patch in series["patches"]] == [
        f"[v1,{number}/{PATCHES}] Add value {number}" for number in range(1, PATCHES + 1)
    ]

    site.stop_database()
    second = git.series(version=2)
    git.send_email(second, site.smtp_port)
    site.wait_for(lambda: statuses(site)["deferred"] >= len(second), "every mail deferred")

    queued = site.queue()
    assert len(queued) == len(second)
    assert {mail["queue_name"] for mail in queued} == {"deferred"}
    assert all("kept in file" in mail["recipients"][0]["delay_reason"] for mail in queued)
    kept = list(site.quarantine_dir.glob("*.eml"))
    assert len(kept) == len(second)
    assert {path.owner() for path in kept} == {"nobody"}  # postfix ran the pipe as nobody
    assert statuses(site)["bounced"] == 0

    site.start_database()
    site.postqueue("-f")
    site.wait_for(lambda: not site.queue(), "postfix's queue to empty after the flush")

    expected = collections.Counter(message_ids(first) + message_ids(second))
    assert stored_message_ids(site) == expected  # every mail, each exactly once
    versions = {item["version"]: item for item in every(site, "/api/1.3/series/")}
    assert versions[2]["received_all"] is True
    assert versions[2]["cover_letter"]["msgid"] == message_ids(second)[0]
    assert not list(site.quarantine_dir.glob("*.eml"))  # the spool was picked up
    assert site.manage("quarantine", "list").stdout == ""
    final = statuses(site)
    assert final["bounced"] == 0
    assert final["sent"] == len(first) + len(second)
    assert final["deferred"] >= len(second)

    log = site.log_file.read_text()
    counts = {
        "stored": log.count(": stored as "),
        "deferred": log.count(": deferred, kept in "),
        "duplicate": log.count(": duplicate: "),
        "picked up": log.count("pick-up: "),
    }
    print(f"\nmta tier: postfix statuses {dict(final)}; patchwork log {counts}")
    assert counts["stored"] == len(first) + len(second)
    assert counts["deferred"] >= len(second)
    delivering = set(re.findall(r"\[(\d+)\]: parsemail: ", log))
    if site.ingestd is not None:
        assert len(delivering) == 1  # every delivery went through the daemon
    else:
        assert len(delivering) > 1  # one process per mail
    health = requests.get(f"{site.url}/healthz", timeout=30).json()
    assert health["quarantine"] == {"pending": 0, "set_aside": 0, "files": 0}
