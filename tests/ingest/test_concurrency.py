"""Concurrent ingest on PostgreSQL: processes racing on one archive give the serial result.

Each test runs real ``manage.py`` processes against the test database (committed data,
``transactional_db``), fed the dev-list archive in a shuffled order, and compares what
they stored with the serial import (which equals the manifest, see test_corpus.py).
"""

import io
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from ingest.models import FailedMail, UnattachedMail
from tests.factories import ProjectFactory
from tests.ingest.manifest import (
    corpus_mails,
    expected_snapshot,
    manifest,
    shuffled,
    snapshot,
    write_mbox,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (SQLite serialises every writer)",
    ),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 8
LIST_ID = "dev.example.org"


def database_url() -> str:
    """The test database, for the subprocesses."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{settings['NAME']}"


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "true", **extra}


def manage(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        env=env or environment(),
        cwd=REPO_ROOT,
        timeout=600,
        check=False,
    )


@pytest.fixture
def project():
    return ProjectFactory(listid=LIST_ID, linkname="dev", listemail="dev@example.org")


def thread_sample(expected: dict, raws: list[bytes], size: int, seed: int) -> list[bytes]:
    """Whole threads of the archive (covers, patches, versions, replies), about ``size``
    mails, so that the sample has a serial answer of its own."""
    by_thread: dict[str, list[int]] = {}
    for index, mail in enumerate(expected["mails"]):
        by_thread.setdefault(mail["thread"], []).append(index)
    threads = sorted(by_thread.values(), key=len, reverse=True)
    random.Random(seed).shuffle(threads)
    chosen: list[int] = []
    for thread in threads:
        if len(chosen) + len(thread) <= size:
            chosen.extend(thread)
    return [raws[index] for index in sorted(chosen)]


def serial_snapshot(project, raws: list[bytes]) -> dict:
    """The project replaced by a serial parsemail import of ``raws`` (archive order, same
    database), and its snapshot."""
    project.delete()
    project = ProjectFactory(listid=LIST_ID, linkname="dev", listemail="dev@example.org")
    for raw in raws:
        call_command("parsemail", stdin=io.BytesIO(raw))
    call_command("quarantine", "flush", stdout=io.StringIO())
    return snapshot(project)


def assert_clean(results: list[subprocess.CompletedProcess]) -> None:
    failures = [result for result in results if result.returncode != 0]
    assert failures == [], failures[0].stderr.decode()[-2000:] if failures else ""
    assert not any(b"Traceback" in result.stderr for result in results)
    assert not FailedMail.objects.exists()


def test_eight_parsemail_processes_give_the_serial_result(project):
    """One process per mail, as an MTA delivers them, eight at a time."""
    expected = manifest()
    sample = thread_sample(expected, corpus_mails(), size=120, seed=3)

    with ThreadPoolExecutor(PROCESSES) as pool:
        results = list(pool.map(lambda raw: manage("parsemail", stdin=raw), shuffled(sample, 4)))

    assert_clean(results)
    call_command("quarantine", "flush", stdout=io.StringIO())
    concurrent = snapshot(project)
    assert concurrent == serial_snapshot(project, sample)
    assert len(concurrent["patches"]) > 40
    assert len(concurrent["comments"]) > 30


@pytest.mark.parametrize("seed", [11, 12])
def test_eight_parsearchive_processes_on_the_whole_archive(project, tmp_path, seed):
    """Eight importers each take an eighth of the shuffled archive, all at once."""
    mails = shuffled(corpus_mails(), seed)
    paths = [
        write_mbox(tmp_path / f"part-{part}.mbox", mails[part::PROCESSES])
        for part in range(PROCESSES)
    ]

    with ThreadPoolExecutor(PROCESSES) as pool:
        results = list(
            pool.map(lambda path: manage("parsearchive", "--keep-waiting", str(path)), paths)
        )

    assert_clean(results)
    call_command("quarantine", "flush", stdout=io.StringIO())
    assert not UnattachedMail.objects.filter(status="waiting").exists()
    assert snapshot(project) == expected_snapshot(manifest())


def test_eight_parsemail_processes_through_ingestd_give_the_serial_result(project, tmp_path):
    """The MTA's processes hand their mails to one resident daemon, eight at a time."""
    sample = thread_sample(manifest(), corpus_mails(), size=120, seed=5)
    socket_path = tmp_path / "ingest.sock"
    env = environment(PATCHWORK_INGEST_SOCKET=str(socket_path), LOG_LEVEL="INFO")
    log_path = tmp_path / "ingestd.log"
    with log_path.open("wb") as log:
        daemon = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "manage.py"), "ingestd"],
            env=env,
            cwd=REPO_ROOT,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 60
            while b"serving" not in log_path.read_bytes() and time.monotonic() < deadline:
                time.sleep(0.1)
            with ThreadPoolExecutor(PROCESSES) as pool:
                results = list(
                    pool.map(
                        lambda raw: manage("parsemail", stdin=raw, env=env),
                        shuffled(sample, 6),
                    )
                )
        finally:
            daemon.terminate()
            daemon.wait(60)

    assert_clean(results)
    assert daemon.returncode == 0
    assert not socket_path.exists()
    # Every mail went through the daemon, which logged one line for each.
    assert log_path.read_text().count("parsemail: ") == len(sample)
    call_command("quarantine", "flush", stdout=io.StringIO())
    assert snapshot(project) == serial_snapshot(project, sample)
