"""The real server under slow clients, slow queries and concurrent writers (issue 12):
gunicorn with its default worker model (gthread) on the suite's database."""

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from tests.served.site import ServedSite, served_site

pytestmark = pytest.mark.e2e

WORKERS = 2
THREADS = 8  # gunicorn_conf.py's default
# What a cheap request may wait at most while others are slow.
STALL_LIMIT_SECONDS = 1.0
STATEMENT_TIMEOUT_SECONDS = 2
CHEAP_PATH = "/api/1.3/projects/"


def suite_database_url() -> str | None:
    return os.environ.get("DATABASE_URL")


def is_postgres() -> bool:
    return (suite_database_url() or "").startswith(("postgres", "pgsql"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[ServedSite]:
    """Two workers with the default number of threads (gunicorn.conf.py) and a short
    request statement timeout."""
    with served_site(
        tmp_path_factory.mktemp("hardening"),
        suite_database_url(),
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_THREADS="",  # the configuration's default
        REQUEST_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT_SECONDS),
    ) as served:
        yield served


def cheap_request_latencies(site: ServedSite, duration: float) -> list[float]:
    """Latencies of cheap requests sent one after the other for ``duration`` seconds,
    each on a new connection."""
    latencies = []
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        started = time.monotonic()
        response = requests.get(f"{site.url}{CHEAP_PATH}", timeout=30)
        latencies.append(time.monotonic() - started)
        assert response.status_code == 200
        time.sleep(0.05)
    return latencies


class SlowClients:
    """Connections that send a request one byte at a time, and others that send nothing."""

    def __init__(self, site: ServedSite, *, trickling: int, idle: int) -> None:
        address = urlsplit(site.url)
        self.address = (address.hostname, address.port)
        self.request = (
            f"GET {CHEAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {'a' * 200}\r\n\r\n"
        )
        self.sockets = [socket.create_connection(self.address) for _ in range(trickling + idle)]
        self.trickling = self.sockets[:trickling]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def _trickle(self) -> None:
        position = 0
        while not self.stop.is_set() and position < len(self.request):
            for connection in self.trickling:
                with contextlib.suppress(OSError):
                    connection.sendall(self.request[position].encode())
            position += 1
            self.stop.wait(0.25)

    def __enter__(self) -> "SlowClients":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for connection in self.sockets:
            connection.close()


def test_workers_are_threaded(site):
    """The default worker model is gthread (threads > 1) in gunicorn.conf.py."""
    log = site.server.log(last_lines=200)
    assert "Using worker: gthread" in log


def test_slow_clients_do_not_stall_cheap_requests(site):
    """Three times as many slow clients as there are worker processes (each would hold a
    whole sync worker, stalling everything) trickle their requests a byte every 0.25 s
    or send nothing; cheap requests meanwhile are answered within a second.

    A gthread worker gives each connection a thread until its request has arrived, and
    the connections go to whichever worker accepts first: the slow clients are fewer
    than one worker's threads, so that even all of them on one worker leave it threads
    (with as many slow clients as threads, a cheap request queued there waited 4.5 s)."""
    assert WORKERS * 3 < THREADS
    with SlowClients(site, trickling=WORKERS * 2, idle=WORKERS):
        time.sleep(0.5)
        latencies = cheap_request_latencies(site, duration=6.0)
    assert len(latencies) > 10
    assert max(latencies) < STALL_LIMIT_SECONDS, sorted(latencies)[-5:]


@pytest.mark.skipif(not is_postgres(), reason="statement_timeout is PostgreSQL's")
def test_slow_queries_are_stopped_and_do_not_stall_cheap_requests(site):
    """A request whose query waits (here on a lock the test holds on the patch table) is
    stopped by the request statement timeout with a JSON 503 and a log line, while cheap
    requests meanwhile are answered within a second."""
    url = site.database.url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as blocker:
        blocker.execute("LOCK TABLE patches_patch IN ACCESS EXCLUSIVE MODE")
        with ThreadPoolExecutor(max_workers=4) as pool:
            slow = [
                pool.submit(requests.get, f"{site.url}/api/patches/", timeout=60) for _ in range(4)
            ]
            time.sleep(0.3)
            latencies = cheap_request_latencies(site, duration=STATEMENT_TIMEOUT_SECONDS + 1)
            answers = [future.result() for future in slow]
        blocker.rollback()
    assert max(latencies) < STALL_LIMIT_SECONDS, sorted(latencies)[-5:]
    for answer in answers:
        assert answer.status_code == 503
        assert "too long" in answer.json()["detail"]
        assert answer.elapsed.total_seconds() < STATEMENT_TIMEOUT_SECONDS + 5
    assert "stopped by the statement timeout" in site.server.log(last_lines=400)
    assert requests.get(f"{site.url}/api/patches/", timeout=30).status_code == 200


def test_concurrent_writers_all_succeed(site):
    """Regression (item 6): on SQLite two concurrent writers got "database is locked"
    500s (38 of 200 state changes). 200 state changes from four clients all succeed."""
    headers = site.identities["maintainer"].headers()
    patch_ids = [patch["id"] for patch in site.get("/api/patches/").json()][:4]
    states = ["new", "under-review", "accepted", "changes-requested"]

    def change_states(patch_id: int) -> list[int]:
        session = requests.Session()
        statuses = []
        for index in range(50):
            response = session.patch(
                f"{site.url}/api/patches/{patch_id}/",
                json={"state": states[index % len(states)]},
                headers=headers,
                timeout=60,
            )
            statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=len(patch_ids)) as pool:
        results = list(pool.map(change_states, patch_ids))
    statuses = [status for result in results for status in result]
    assert len(statuses) == 50 * len(patch_ids)
    assert set(statuses) == {200}, {status: statuses.count(status) for status in statuses}
