"""manage.py parsemail: store one mail, from a file or standard input (the MTA hook)."""

import datetime
import logging
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ingest.management.helpers import keep_help_layout, read_bytes, report_level
from ingest.services import Status, ingest_mail
from ingest.store import IngestContext, flush_waiting

logger = logging.getLogger("patchwork.ingest")

EXIT_RETRY = 1
EXIT_USAGE = 2
DEFAULT_WAIT_SECONDS = 86400


class Command(BaseCommand):
    help = """Store one mail (a patch, cover letter or comment) read from FILE or stdin.

Exit status:
  0  the mail was handled: stored, or skipped as a duplicate, ignored
     (X-Patchwork-Hint: ignore), dropped (no project for its list, not part of a
     known thread) or unparseable (logged with its Message-ID and the reason)
  1  a database or internal error: the mail is kept in the quarantine (or in
     QUARANTINE_DIR when the database is down); the MTA should retry later
  2  the input could not be read

Problems are logged as one line on stderr, never as a traceback."""

    # call_command(..., stdin=stream) passes the mail without touching sys.stdin.
    stealth_options = ("stdin",)
    # An MTA starts one process per mail: the system checks (a third of the start-up
    # time) are left to the other commands.
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        return keep_help_layout(super().create_parser(prog_name, subcommand, **kwargs))

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--list-id", help="store the mail in the project of this list id, whatever its headers"
        )
        parser.add_argument("infile", nargs="?", type=Path, help="the mail (default: stdin)")

    def handle(self, *args, **options) -> None:
        raw = self._read(options)
        try:
            report = ingest_mail(raw, list_id=options["list_id"], context=IngestContext())
        except Exception as error:  # never a traceback for the MTA
            logger.error("parsemail: internal error: %s: %s", type(error).__name__, error)
            raise CommandError(f"internal error: {error}", returncode=EXIT_RETRY) from None
        if report.status == Status.FAILED:
            logger.error("parsemail: %s (quarantined)", report.describe())
            raise CommandError(report.describe(), returncode=EXIT_RETRY)
        logger.log(report_level(report), "parsemail: %s", report.describe())
        self._settle_stale_replies()

    def _read(self, options: dict) -> bytes:
        infile = options.get("infile")
        try:
            if infile is not None:
                return infile.read_bytes()
            return read_bytes(options.get("stdin") or sys.stdin)
        except OSError as error:
            raise CommandError(f"cannot read the mail: {error}", returncode=EXIT_USAGE) from None

    def _settle_stale_replies(self) -> None:
        """Replies that waited too long for their parent are settled as Patchwork would."""
        wait = getattr(settings, "INGEST_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)
        cutoff = timezone.now() - datetime.timedelta(seconds=wait)
        try:
            flush_waiting(received_before=cutoff)
        except Exception as error:  # the mail itself is stored; report and carry on
            logger.warning("parsemail: could not settle old waiting replies: %s", error)
