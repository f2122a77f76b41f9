"""manage.py ingestd: keep Django loaded and store the mails parsemail hands over."""

import contextlib
import json
import logging
import os
import signal
import socket
import socketserver
import stat
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ingest.delivery import deliver
from ingest.management.helpers import keep_help_layout
from ingest.recovery import pick_up
from ingest.relay import configuration, socket_path
from patchwork_api.limits import MAIL_MAX_BYTES

logger = logging.getLogger("patchwork.ingest")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HEADER_LIMIT = 64 * 1024
# How often the quarantine is looked at when no mail comes (a successful delivery
# picks it up at once).
PICKUP_SECONDS = 60.0
# systemd's socket activation (sd_listen_fds): the first passed descriptor.
LISTEN_FDS_START = 3


class Command(BaseCommand):
    help = """Serve parsemail from a resident process. While it runs, manage.py parsemail
hands each mail to it over a Unix socket instead of loading Django itself, and exits
with the status and log lines the daemon answers: the same ones, in a fraction of the
time. Mails are stored one at a time, in arrival order. When the daemon is not running,
not answering, or runs with another DATABASE_URL, DJANGO_SETTINGS_MODULE or data
directory than the client, parsemail stores the mail itself.

The socket is PATCHWORK_INGEST_SOCKET, or ingest.sock in the data directory. Whoever
can write to it can deliver mail: its mode is 0600 unless --mode says otherwise (for
an MTA running as another user, 0660 with a shared group). Under systemd it may be
given the socket instead (socket activation: deploy/systemd/patchwork-ingestd.socket).
SIGTERM or SIGINT stops it.

It also stores what the quarantine holds for automatic retry (mail kept in files
while the database was down, pending mails) at start, after each stored mail and once
a minute."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        return keep_help_layout(super().create_parser(prog_name, subcommand, **kwargs))

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--socket",
            type=Path,
            help="the socket (default: PATCHWORK_INGEST_SOCKET, else ingest.sock in the data"
            " directory); parsemail finds another path through PATCHWORK_INGEST_SOCKET",
        )
        parser.add_argument(
            "--mode", type=lambda text: int(text, 8), default=0o600, help="socket mode (octal)"
        )

    def handle(self, *args, **options) -> None:
        inherited = _activated_socket()
        path = options["socket"] or socket_path()
        if inherited is None:
            _claim(path)
        server = DeliveryServer(str(path), configuration(), inherited=inherited)
        try:
            if inherited is None:
                os.chmod(path, options["mode"])
            _stop_on_signals(server)
            where = "the socket systemd passed" if inherited else path
            logger.info("ingestd: serving parsemail on %s", where)
            _pick_up_quarantine()
            next_pickup = time.monotonic() + PICKUP_SECONDS
            while not server.stopping:
                server.handle_request()  # one mail, or a timeout to look at the flag
                if time.monotonic() >= next_pickup:
                    _pick_up_quarantine()
                    next_pickup = time.monotonic() + PICKUP_SECONDS
        finally:
            server.server_close()
            if inherited is None:
                path.unlink(missing_ok=True)
            logger.info("ingestd: stopped")


def _activated_socket() -> socket.socket | None:
    """The listening socket systemd passed (LISTEN_PID/LISTEN_FDS), if any."""
    if os.environ.get("LISTEN_PID") != str(os.getpid()):
        return None
    if int(os.environ.get("LISTEN_FDS", "0") or 0) < 1:
        return None
    for name in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"):
        os.environ.pop(name, None)  # not for the children
    return socket.socket(fileno=LISTEN_FDS_START)


def _pick_up_quarantine() -> None:
    """What the quarantine holds for automatic retry; a database still down is no error."""
    _reconnect_if_broken()
    try:
        pick_up()
    except Exception as error:
        logger.warning("ingestd: could not pick up quarantined mail: %s", error)


def _stop_on_signals(server: "DeliveryServer") -> None:
    """Stop between two mails, never in the middle of one."""

    def stop(signum, frame) -> None:
        server.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _claim(path: Path) -> None:
    """Take the socket's path: refuse a live daemon's, remove a dead one's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if not stat.S_ISSOCK(path.stat().st_mode):
        raise CommandError(f"{path} exists and is not a socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink()
            return
    raise CommandError(f"another ingestd is serving {path}")


class DeliveryServer(socketserver.UnixStreamServer):
    """One mail per connection, one connection at a time (the store is serial anyway)."""

    timeout = 0.5  # how soon a stop request is seen when no mail comes
    request_queue_size = 128  # MTA processes waiting for their turn

    def __init__(
        self, path: str, configuration: str, *, inherited: socket.socket | None = None
    ) -> None:
        self.configuration = configuration
        self.stopping = False
        super().__init__(path, DeliveryHandler, bind_and_activate=inherited is None)
        if inherited is not None:
            self.socket.close()
            self.socket = inherited

    def handle_error(self, request, client_address) -> None:
        """A client that went silent or away: one log line, not a traceback."""
        logger.warning("ingestd: a delivery was abandoned: %s", sys.exc_info()[1])


class DeliveryHandler(socketserver.StreamRequestHandler):
    server: DeliveryServer
    timeout = 60  # a client that stops sending cannot hold the daemon (it falls back)

    def handle(self) -> None:
        header = _read_header(self.rfile)
        if header is None or header.get("configuration") != self.server.configuration:
            self._answer({"refused": "not this daemon's configuration"})
            return
        if self.server.stopping:
            self._answer({"refused": "stopping"})
            return
        raw = self.rfile.read(int(header["size"]))
        if len(raw) != int(header["size"]):
            return  # the client went away: it will store the mail itself
        _reconnect_if_broken()
        with CapturedLog() as log:
            status = deliver(raw, header.get("list_id"), exit_zero=bool(header.get("exit_zero")))
        self._answer({"exit": status, "log": log.lines})

    def _answer(self, answer: dict) -> None:
        # A client that gave up stores the mail itself, finding it as a duplicate.
        with contextlib.suppress(OSError):
            self.wfile.write(json.dumps(answer).encode() + b"\n")


def _read_header(stream) -> dict | None:
    line = stream.readline(HEADER_LIMIT)
    try:
        header = json.loads(line)
        size = int(header["size"])
    except (ValueError, KeyError, TypeError):
        return None
    return header if 0 <= size <= MAIL_MAX_BYTES else None


def _reconnect_if_broken() -> None:
    """A database restarted since the last mail: start with a fresh connection."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()


class CapturedLog(logging.Handler):
    """The ingest log lines of one delivery, formatted as parsemail prints them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self) -> "CapturedLog":
        logger.addHandler(self)
        return self

    def __exit__(self, *exc_info) -> None:
        logger.removeHandler(self)
