"""Handing a mail to a running ``manage.py ingestd`` instead of starting Django for it.

An MTA starts ``manage.py parsemail`` once per mail, and loading Django and the database
driver takes most of the time that costs (a quarter to half a second here; storing the
mail takes a few milliseconds). When ``ingestd`` runs, ``manage.py`` sends the mail over
its Unix socket before loading Django, and exits with the status the daemon answers,
printing the daemon's log lines on stderr as parsemail would.

Nothing here may import Django: this module runs before it is loaded. Whenever the
daemon cannot answer (no socket, not listening, another configuration, a broken
connection), ``relay_parsemail`` returns None and the mail is stored in-process as if
the daemon did not exist; a mail the daemon stored before failing to answer is then
found again as a duplicate, so nothing is stored twice.

The protocol, one mail per connection: the client sends a JSON line
``{"configuration": ..., "list_id": ..., "exit_zero": bool, "size": n}`` and the mail's
n bytes; the daemon answers a JSON line ``{"exit": status, "log": [lines]}``, or
``{"refused": reason}`` (the client falls back). The exit statuses are parsemail's
(ingest.delivery): the daemon computes them with the same code. The configuration
file (PATCHWORK_CONFIG) is read here too, so both sides see the same settings; a file
that cannot be read is a ConfigurationError (exit 78, patchwork_api.cli).
"""

import hashlib
import io
import json
import os
import socket
import sys
from pathlib import Path

from patchwork_api.env import load_configuration, parse_bool
from patchwork_api.limits import MAIL_MAX_BYTES

SOCKET_ENVIRONMENT = "PATCHWORK_INGEST_SOCKET"
SOCKET_NAME = "ingest.sock"
CONNECT_SECONDS = 2.0
ANSWER_SECONDS = 300.0
# What selects the database and settings: a daemon started with other values refuses.
CONFIGURATION_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PATCHWORK_DATA_DIR")
REPOSITORY = Path(__file__).resolve().parent.parent


def socket_path() -> Path:
    """``PATCHWORK_INGEST_SOCKET``, else ``ingest.sock`` in the data directory."""
    configured = os.environ.get(SOCKET_ENVIRONMENT)
    if configured:
        return Path(configured)
    data_dir = Path(os.environ.get("PATCHWORK_DATA_DIR", REPOSITORY / "data"))
    return data_dir / SOCKET_NAME


def configuration() -> str:
    """A fingerprint of the environment that chooses the database (no secrets sent)."""
    values = [
        os.environ.get(name, "patchwork_api.settings" if name == "DJANGO_SETTINGS_MODULE" else "")
        for name in CONFIGURATION_VARIABLES
    ]
    return hashlib.sha256("\0".join([str(REPOSITORY), *values]).encode()).hexdigest()


def relay_parsemail(arguments: list[str]) -> int | None:
    """parsemail through the daemon: its exit status, or None to run parsemail here.

    Only the plain forms are relayed (``[--list-id ID] [--exit-zero] [FILE]``); help,
    verbosity and the other Django options run the command itself, and so does a mail
    larger than MAIL_MAX_BYTES (the command drops it). Standard input, once read, is
    put back for the in-process run.
    """
    load_configuration()
    options = _plain_options(arguments)
    path = socket_path()
    if options is None or not path.exists():
        return None
    list_id, exit_zero, infile = options
    try:
        raw = _read(infile)
    except (OSError, AttributeError):
        return None  # parsemail reports it
    answer = None
    if len(raw) <= MAIL_MAX_BYTES:
        exit_zero = exit_zero or parse_bool(
            os.environ.get("PATCHWORK_PARSEMAIL_EXIT_ZERO", "false"),
            name="PATCHWORK_PARSEMAIL_EXIT_ZERO",
        )
        answer = _ask(path, raw, list_id, exit_zero)
    if answer is None:
        if not infile:
            rewound = io.BufferedReader(_Rewound(raw, sys.stdin))
            sys.stdin = io.TextIOWrapper(rewound, errors="surrogateescape")
        return None
    for line in answer.get("log", []):
        sys.stderr.write(f"{line}\n")
    return int(answer["exit"])


def _read(infile: str | None) -> bytes:
    """The mail, or its first MAIL_MAX_BYTES + 1 bytes when it is larger."""
    if infile:
        with open(infile, "rb") as stream:
            return stream.read(MAIL_MAX_BYTES + 1)
    return sys.stdin.buffer.read(MAIL_MAX_BYTES + 1)


class _Rewound(io.RawIOBase):
    """Standard input again: the bytes already read, then what is left of it.

    It holds on to the stream it replaces: once collected, that would close its buffer.
    """

    def __init__(self, head: bytes, stdin) -> None:
        self.head = io.BytesIO(head)
        self.stdin = stdin
        self.rest = stdin.buffer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.head.readinto(buffer)
        if count:
            return count
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _plain_options(arguments: list[str]) -> tuple[str | None, bool, str | None] | None:
    list_id = infile = None
    exit_zero = False
    remaining = list(arguments)
    while remaining:
        argument = remaining.pop(0)
        if argument == "--list-id" and remaining:
            list_id = remaining.pop(0)
        elif argument.startswith("--list-id="):
            list_id = argument.split("=", 1)[1]
        elif argument == "--exit-zero":
            exit_zero = True
        elif argument == "--defer-config-errors":
            pass  # patchwork_api.cli acts on it
        elif argument.startswith("-") or infile is not None:
            return None
        else:
            infile = argument
    return list_id, exit_zero, infile


def _ask(path: Path, raw: bytes, list_id: str | None, exit_zero: bool) -> dict | None:
    header = {
        "configuration": configuration(),
        "list_id": list_id,
        "exit_zero": exit_zero,
        "size": len(raw),
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(CONNECT_SECONDS)
            connection.connect(str(path))
            connection.settimeout(ANSWER_SECONDS)
            connection.sendall(json.dumps(header).encode() + b"\n" + raw)
            connection.shutdown(socket.SHUT_WR)
            with connection.makefile("rb") as answers:
                answer = json.loads(answers.readline())
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or "exit" not in answer:
        return None  # refused: another configuration, or shutting down
    return answer
