"""What the ingest commands share: help formatting, input reading, log lines on stderr."""

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import DjangoHelpFormatter
from django.db import connection

from ingest.services import MailReport, Status

logger = logging.getLogger("patchwork.ingest")


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's help layout, keeping the description's own line breaks (exit codes)."""


def keep_help_layout(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.formatter_class = HelpFormatter
    return parser


READ_CHUNK = 1024 * 1024


def read_limited(stream: object, limit: int) -> tuple[bytes, int]:
    """(the first ``limit`` + 1 bytes at most, the whole size) of a binary or text stream.

    The rest of a longer input is read and thrown away, in chunks (memory stays
    bounded; an MTA expects its pipe to be read to the end).
    """
    source = getattr(stream, "buffer", None) or stream
    kept = bytearray()
    size = 0
    while True:
        chunk = source.read(READ_CHUNK)
        if not chunk:
            break
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8", "surrogateescape")
        size += len(chunk)
        if len(kept) <= limit:
            kept += chunk[: limit + 1 - len(kept)]
    return bytes(kept), size


@contextmanager
def echo_to_stderr(name: str = "patchwork") -> Iterator[None]:
    """Log lines on stderr too while the block runs, unless the configuration sends them
    there already: an MTA reports a deferred delivery with what the command wrote."""
    target = logging.getLogger(name)
    if any(type(handler) is logging.StreamHandler for handler in target.handlers):
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    target.addHandler(handler)
    try:
        yield
    finally:
        target.removeHandler(handler)


def report_level(report: MailReport) -> int:
    """Stored, duplicate and ignored mail is routine; a dropped mail deserves a warning."""
    if report.status == Status.FAILED:
        return logging.ERROR
    if report.status == Status.STORED or report.kind in ("duplicate", "ignored"):
        return logging.INFO
    return logging.WARNING


@contextmanager
def prepared_statements(enabled: bool = True) -> Iterator[None]:
    """Let PostgreSQL plan each statement of a bulk import once, not once per mail.

    An import repeats a dozen statements for every mail; planning them costs more than
    running them. psycopg prepares a statement after its second use when parameters are
    sent apart from the query (server-side binding), which Django leaves off by default
    for the sake of connection poolers in transaction mode. The connection is reopened
    with these options for the duration of the block, then with the usual ones again;
    nothing changes inside a transaction (a test's, for instance).
    """
    if not enabled or connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = dict(options)
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", 2)
    connection.close()
    try:
        yield
    finally:
        options.clear()
        options.update(saved)
        if not connection.in_atomic_block:
            connection.close()
