"""parsemail through a running ingestd: the mail, the exit status and the log lines travel
over a Unix socket; whenever the daemon cannot answer, parsemail runs in-process."""

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from ingest import relay
from ingest.management.commands import ingestd
from ingest.management.commands.ingestd import DeliveryServer
from ingest.models import FailedMail
from patches.models import Patch
from tests.factories import SAMPLE_DIFF, ProjectFactory

REPO_ROOT = Path(__file__).resolve().parents[2]
LIST_ID = "dev.example.org"
MAIL = (
    "From: Jo Doe <jo@example.org>\nSubject: [PATCH] relayed\n"
    "Message-Id: <relayed@example.org>\nDate: Mon, 01 Jan 2024 12:00:00 +0000\n"
    f"List-Id: <{LIST_ID}>\n\nThe fix.\n---\n{SAMPLE_DIFF}"
).encode()


@pytest.fixture
def socket_path(tmp_path, monkeypatch):
    path = tmp_path / "ingest.sock"
    monkeypatch.setenv(relay.SOCKET_ENVIRONMENT, str(path))
    return path


@pytest.fixture
def stdin(monkeypatch):
    def feed(data: bytes):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    return feed


def relay_in_thread(arguments):
    """relay_parsemail in a client thread; the test's thread serves (it owns the test DB)."""
    result = {}

    def run() -> None:
        result["status"] = relay.relay_parsemail(arguments)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def relay_through_server(socket_path, arguments, configuration=None):
    """The client's exit status (or None) with a DeliveryServer serving it once."""
    server = DeliveryServer(str(socket_path), configuration or relay.configuration())
    try:
        client, result = relay_in_thread(arguments)
        server.handle_request()
        client.join(10)
    finally:
        server.server_close()
    return result["status"]


@pytest.mark.parametrize(
    ("arguments", "options"),
    [
        ([], (None, False, None)),
        (["--list-id", "x.org"], ("x.org", False, None)),
        (["--list-id=x.org", "mail.eml"], ("x.org", False, "mail.eml")),
        (["mail.eml"], (None, False, "mail.eml")),
        (["--exit-zero", "--list-id", "x.org"], ("x.org", True, None)),
        (["-v", "2"], None),
        (["--help"], None),
        (["a.eml", "b.eml"], None),
    ],
)
def test_only_the_plain_forms_are_relayed(arguments, options):
    assert relay._plain_options(arguments) == options


def test_without_a_daemon_parsemail_runs_in_process(socket_path, stdin):
    stdin(MAIL)

    assert relay.relay_parsemail([]) is None
    assert sys.stdin.buffer.read() == MAIL  # untouched: the command reads it


@pytest.mark.django_db
def test_a_relayed_mail_is_stored_and_its_status_and_log_come_back(socket_path, stdin, capsys):
    ProjectFactory(listid=LIST_ID)
    stdin(MAIL)
    status = relay_through_server(socket_path, [])

    assert status == 0
    assert Patch.objects.get().msgid == "<relayed@example.org>"
    assert "parsemail: <relayed@example.org>: stored as patch" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_relayed_deferral_exits_75(socket_path, stdin, monkeypatch):
    monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("down")))
    stdin(MAIL)
    status = relay_through_server(socket_path, ["--list-id", LIST_ID])

    assert status == 75
    assert FailedMail.objects.get().state == FailedMail.State.PENDING


@pytest.mark.django_db
def test_a_relayed_deferral_with_exit_zero_exits_0(socket_path, stdin, monkeypatch):
    monkeypatch.setattr("ingest.services.store_mail", raising(OperationalError("down")))
    stdin(MAIL)
    status = relay_through_server(socket_path, ["--exit-zero", "--list-id", LIST_ID])

    assert status == 0
    assert FailedMail.objects.get().state == FailedMail.State.PENDING


def raising(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.django_db
def test_a_daemon_of_another_configuration_refuses_and_the_mail_stays_for_the_command(
    socket_path, stdin
):
    stdin(MAIL)
    status = relay_through_server(socket_path, [], configuration="some other database")

    assert status is None
    assert sys.stdin.buffer.read() == MAIL
    assert not Patch.objects.exists()


def test_a_daemon_that_hangs_up_leaves_the_mail_to_the_command(socket_path, stdin):
    stdin(MAIL)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(socket_path))
        listener.listen()
        client, result = relay_in_thread([])
        accepted, _ = listener.accept()
        accepted.close()  # crashed before answering
        client.join(10)

    assert result["status"] is None
    assert sys.stdin.buffer.read() == MAIL


def test_a_second_daemon_refuses_to_start(socket_path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(socket_path))
        listener.listen()

        with pytest.raises(CommandError, match="another ingestd"):
            call_command("ingestd")


def test_a_client_that_stops_sending_cannot_hold_the_daemon(socket_path, monkeypatch, caplog):
    assert ingestd.DeliveryHandler.timeout  # socketserver's default is to wait forever
    monkeypatch.setattr(ingestd.DeliveryHandler, "timeout", 0.2)
    server = DeliveryServer(str(socket_path), relay.configuration())
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(socket_path))
        header = {"configuration": relay.configuration(), "list_id": None, "size": 100}
        client.sendall(json.dumps(header).encode() + b"\n" + b"only a part")
        try:
            server.handle_request()  # returns once the handler timed out
        finally:
            server.server_close()

    assert "abandoned" in caplog.text


@pytest.mark.skipif(
    shutil.which("systemd-socket-activate") is None, reason="systemd-socket-activate missing"
)
def test_ingestd_serves_the_socket_systemd_passes(tmp_path):
    """deploy/systemd/patchwork-ingestd.socket: systemd makes the socket and hands it over;
    ingestd must serve it, and leave it in place when it stops (systemd owns it)."""
    socket_file = tmp_path / "ingest.sock"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "true",
        "PATCHWORK_DATA_DIR": str(tmp_path / "data"),
        "PATCHWORK_INGEST_SOCKET": str(socket_file),
    }
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]

    def run(*arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
        return subprocess.run(
            [*manage, *arguments], input=stdin, env=environment, capture_output=True,
            timeout=120, check=True,
        )  # fmt: skip

    run("migrate", "--no-input", "-v0")
    run("project", "add", "dev", "--name", "Dev", "--listid", LIST_ID, "--listemail", "d@x.org")
    log_path = tmp_path / "ingestd.log"
    # systemd-socket-activate gives the daemon no other environment than --setenv's.
    settings = [f"--setenv={name}={value}" for name, value in environment.items()]
    activate = ["systemd-socket-activate", "-l", str(socket_file), *settings]
    with log_path.open("wb") as log:
        daemon = subprocess.Popen(
            [*activate, *manage, "ingestd"],
            env=environment,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 30
        while not socket_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        delivered = run("parsemail", stdin=MAIL)  # the connection starts the daemon
    finally:
        daemon.terminate()
        daemon.wait(30)

    daemon_log = log_path.read_text()
    assert "serving parsemail on the socket systemd passed" in daemon_log
    assert "<relayed@example.org>: stored as patch 1" in daemon_log
    assert b"<relayed@example.org>: stored as patch 1" in delivered.stderr
