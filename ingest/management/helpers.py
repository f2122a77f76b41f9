"""What the ingest commands share: help formatting, input reading, logging setup."""

import argparse
import logging

from django.core.management.base import DjangoHelpFormatter

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
