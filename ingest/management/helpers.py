"""What the ingest commands share: help formatting, input reading, logging setup."""

import argparse
import logging
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


def read_bytes(stream: object) -> bytes:
    """All of a binary or text stream, as bytes (text is taken as UTF-8)."""
    buffer = getattr(stream, "buffer", None)
    data = (buffer or stream).read()
    return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)


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
