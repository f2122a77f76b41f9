"""``manage.py follow-inbox`` killed (SIGKILL) in the middle of a run, then run again,
as a real process on a database of its own: every message is stored once. The counts
are printed (run with -s to read them)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.server import MANAGE, REPO_ROOT, Database, manage, server_environment
from tests.inboxes.layout import GitInbox
from tests.webhooks.mails import patch_mail

MESSAGES = 120
KILL_AFTER = 40  # messages logged before the first run is killed
LIST_ID = "dev.example.org"


@pytest.fixture
def environment(tmp_path):
    database = Database.create(tmp_path, os.environ.get("DATABASE_URL"))
    environment = server_environment(database.url, tmp_path / "data")
    environment["LOG_LEVEL"] = "INFO"
    try:
        manage(environment, "migrate", "--no-input")
        manage(
            environment, "project", "add", "dev", "--name", "dev", "--listid", LIST_ID,
            "--listemail", "dev@example.org",
        )  # fmt: skip
        yield environment
    finally:
        database.drop()


def stored_lines(path) -> int:
    return path.read_text(errors="replace").count(": stored as patch")


def count(environment, expression: str) -> int:
    code = f"from patches.models import Patch; print({expression})"
    return int(manage(environment, "shell", "-c", code).stdout.decode().split()[-1])


def test_killed_run_resumes(environment, tmp_path):
    inbox = GitInbox(tmp_path / "inbox")
    for number in range(1, MESSAGES + 1):
        inbox.add(patch_mail(number, LIST_ID, total=10))
    log = tmp_path / "first.log"
    with log.open("wb") as output:
        first = subprocess.Popen(
            [sys.executable, str(MANAGE), "follow-inbox", str(inbox.root)],
            env=environment,
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while stored_lines(log) < KILL_AFTER and first.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
    before = count(environment, "Patch.objects.count()")

    resumed = manage(environment, "follow-inbox", str(inbox.root))

    output = resumed.stdout.decode()
    after = count(environment, "Patch.objects.count()")
    distinct = count(environment, "Patch.objects.values('msgid').distinct().count()")
    print(
        f"\nfollow-inbox of {MESSAGES} messages, killed after {stored_lines(log)} logged: "
        f"{before} stored before the kill, resumed run: {output.splitlines()[0]}; "
        f"{after} patches in all ({distinct} distinct Message-IDs)"
    )
    assert before >= KILL_AFTER
    assert output.startswith(f"messages: {MESSAGES - before} (patch {MESSAGES - before})")
    assert after == distinct == MESSAGES
