"""manage.py parsemail: store one mail, from a file or standard input (the MTA hook)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingest.delivery import EXIT_STORED, deliver
from ingest.management.helpers import keep_help_layout, read_bytes

EXIT_USAGE = 2


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
        status = deliver(raw, options["list_id"])
        if status != EXIT_STORED:
            raise CommandError("the mail was not stored; deliver it later", returncode=status)

    def _read(self, options: dict) -> bytes:
        infile = options.get("infile")
        try:
            if infile is not None:
                return infile.read_bytes()
            return read_bytes(options.get("stdin") or sys.stdin)
        except OSError as error:
            raise CommandError(f"cannot read the mail: {error}", returncode=EXIT_USAGE) from None
