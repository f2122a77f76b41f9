"""``manage.py webhooks run`` as a real process against a database of its own (SQLite
file, or a PostgreSQL database beside the suite's), posting to a real receiver on
loopback: with the receiver stopped for a while, and with the worker killed (SIGKILL)
again and again in the middle of its run, every event is delivered at least once, in
order, under a stable delivery id, so that a receiver deduplicating by id sees each
exactly once. The counts are printed (run with -s to read them)."""

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import MANAGE, REPO_ROOT, Database, manage, server_environment
from tests.webhooks.conftest import SECRET
from tests.webhooks.mails import mbox, patch_mail
from tests.webhooks.receiver import Receiver

PATCHES = 30  # 30 patches in 6 series of 5: 30 x 2 + 6 x 2 = 72 events per project
KILLS = 6
WAIT_SECONDS = 120


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, str]]:
    workdir = tmp_path_factory.mktemp("webhooks-worker")
    database = Database.create(workdir, os.environ.get("DATABASE_URL"))
    environment = server_environment(database.url, workdir / "data")
    environment.update(
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        WEBHOOK_RETRY_BASE_SECONDS="0.2",
        WEBHOOK_MAX_CONSECUTIVE_FAILURES="1000",
        WEBHOOK_LEASE_SECONDS="2",
        WEBHOOK_POLL_SECONDS="0.1",
    )
    try:
        manage(environment, "migrate", "--no-input")
        manage(environment, "user", "add", "maint", "--email", "maint@example.org")
        yield environment
    finally:
        database.drop()


def add_project_and_hook(environment: dict[str, str], name: str, receiver: Receiver) -> None:
    manage(
        environment,
        "project", "add", name, "--name", name, "--listid", f"{name}.example.org",
        "--listemail", f"{name}@example.org",
    )  # fmt: skip
    manage(environment, "project", "maintainer", name, "maint")
    manage(
        environment,
        "webhook", "add", receiver.url, "--owner", "maint", "--project", name, "--secret-stdin",
        stdin=SECRET.encode() + b"\n",
    )  # fmt: skip


def ingest(environment: dict[str, str], name: str, workdir: Path) -> int:
    """Store the project's mail; the number of events it made."""
    path = workdir / f"{name}.mbox"
    mails = [
        patch_mail(n, f"{name}.example.org", total=5, series=name) for n in range(1, PATCHES + 1)
    ]
    path.write_bytes(mbox(mails))
    manage(environment, "parsearchive", str(path))
    code = (
        "from events.models import Event; "
        f"print(Event.objects.filter(project__linkname={name!r}).count())"
    )
    count = manage(environment, "shell", "-c", code)
    return int(count.stdout.decode().split()[-1])


def start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "webhooks", "run"],
        env=environment,
        cwd=REPO_ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def check_and_count(receiver: Receiver, expected: int, label: str) -> dict[str, int]:
    received = list(receiver.received)
    unique = receiver.unique()
    counts = {
        "events": expected,
        "posts": len(received),
        "delivered": len(unique),
        "duplicated": len(received) - len(unique),
        "lost": expected - len({item.event_id for item in unique.values()}),
    }
    print(f"\nwebhook deliveries, {label}: {counts}")
    assert all(item.signature_ok for item in received)
    # one delivery id per event, whatever the retries
    assert len({item.event_id for item in unique.values()}) == len(unique)
    # in order: each event first arrives after every earlier one
    first_seen = list(dict.fromkeys(item.event_id for item in received))
    assert first_seen == sorted(first_seen)
    assert counts["lost"] == 0
    return counts


def test_receiver_down_then_up(site, tmp_path):
    receiver = Receiver(SECRET, delay=0.01).start()
    add_project_and_hook(site, "down", receiver)
    expected = ingest(site, "down", tmp_path)
    worker = start_worker(site, tmp_path / "worker.log")
    try:
        assert wait_for(lambda: len(receiver.received) >= 10, 60), (
            tmp_path / "worker.log"
        ).read_text()
        receiver.stop()  # the receiver goes away mid-run
        time.sleep(2)
        receiver.start()
        assert wait_for(lambda: len(receiver.unique()) >= expected, WAIT_SECONDS)
    finally:
        stop(worker)
        receiver.stop()
    counts = check_and_count(receiver, expected, "receiver stopped for 2 s")
    assert counts["duplicated"] == 0  # the worker never lost track: nothing is sent twice


def test_worker_killed_mid_run(site, tmp_path):
    receiver = Receiver(SECRET, delay=0.02).start()
    add_project_and_hook(site, "killed", receiver)
    expected = ingest(site, "killed", tmp_path)
    log = tmp_path / "worker.log"
    randomness = random.Random(16)
    kills = 0
    try:
        for _ in range(KILLS):
            before = len(receiver.received)
            worker = start_worker(site, log)
            target = before + randomness.randint(2, 8)
            reached = wait_for(
                lambda target=target: (
                    len(receiver.received) >= target or len(receiver.unique()) >= expected
                ),
                60,
            )
            assert reached, log.read_text()
            time.sleep(randomness.uniform(0, 0.05))  # often while a post is in flight
            worker.kill()
            worker.wait()
            kills += 1
            if len(receiver.unique()) >= expected:
                break
        worker = start_worker(site, log)
        assert wait_for(lambda: len(receiver.unique()) >= expected, WAIT_SECONDS), log.read_text()
        stop(worker)
    finally:
        receiver.stop()
    check_and_count(receiver, expected, f"worker killed {kills} times mid-run")
