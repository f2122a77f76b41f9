"""Smoke test: the real server (gunicorn with gunicorn.conf.py) on a fresh SQLite database.

Checks what a new deployment needs before anything else works: the API root answers,
and admin and browsable-API static files are served by WhiteNoise without
``collectstatic``, with DEBUG off (production) and on (``make run``).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

STARTUP_SECONDS = 60
STATIC_FILES = [
    "/static/rest_framework/css/bootstrap.min.css",
    "/static/rest_framework/js/jquery-3.7.1.min.js",
    "/static/admin/css/base.css",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(data_dir: Path, *, debug: bool) -> dict[str, str]:
    """Only what the server needs: no DATABASE_URL or DEBUG leaks in from the test run."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PATCHWORK_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'smoke.sqlite3'}",
        "DEBUG": "true" if debug else "false",
        "GUNICORN_WORKERS": "1",
    }
    if not debug:
        environment["SECRET_KEY"] = "smoke-test-secret-key-that-is-long-enough-to-be-real"
    return environment


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def migrated_data_dir(tmp_path_factory) -> Path:
    """A data directory holding a freshly migrated SQLite database."""
    data_dir = tmp_path_factory.mktemp("smoke-data")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--skip-checks"],
        cwd=REPO_ROOT,
        env=server_environment(data_dir, debug=True),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data_dir


@pytest.fixture(scope="module", params=[False, True], ids=["debug-off", "debug-on"])
def server_url(request, migrated_data_dir) -> Iterator[str]:
    """Base URL of a gunicorn started from gunicorn.conf.py; stopped whatever happens."""
    port = free_port()
    environment = server_environment(migrated_data_dir, debug=request.param)
    environment["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    log_path = migrated_data_dir / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(server, port, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def wait_until_listening(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen within {STARTUP_SECONDS}s:\n{log_path.read_text()}")


def test_api_root_answers(server_url):
    status, body = get(f"{server_url}/api/")

    assert status == 200, body[:2000]
    assert b'"projects"' in body


@pytest.mark.parametrize("path", STATIC_FILES)
def test_static_files_are_served_without_collectstatic(server_url, path):
    status, body = get(f"{server_url}{path}")

    assert status == 200
    assert len(body) > 1000


def test_admin_login_page_renders(server_url):
    status, body = get(f"{server_url}/admin/login/")

    assert status == 200
    assert b"csrfmiddlewaretoken" in body


def test_no_control_socket_is_opened(server_url, migrated_data_dir):
    """gunicorn 25+ would share one control socket per user between parallel servers."""
    logs = "".join(path.read_text() for path in migrated_data_dir.glob("gunicorn-*.log"))

    assert "Booting worker" in logs
    assert "Control socket" not in logs


def test_unknown_static_file_is_404(server_url):
    status, _ = get(f"{server_url}/static/no-such-file.css")

    assert status == 404
