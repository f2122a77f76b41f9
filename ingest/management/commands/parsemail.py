"""manage.py parsemail: store one mail, from a file or standard input (the MTA hook)."""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingest.delivery import EXIT_STORED, deliver
from ingest.management.helpers import echo_to_stderr, keep_help_layout, read_limited
from patchwork_api.limits import MAIL_MAX_BYTES

EXIT_USAGE = os.EX_USAGE
EXIT_NO_INPUT = os.EX_NOINPUT
EXIT_TEMPFAIL = os.EX_TEMPFAIL


class Command(BaseCommand):
    help = """Store one mail (a patch, cover letter or comment) read from FILE or stdin.

Exit status (sysexits.h), for the MTA:
  0   the mail is handled: stored, or a duplicate, ignored (X-Patchwork-Hint:
      ignore), dropped (no project for its list, not in a known thread, larger
      than MAIL_MAX_BYTES, unparseable), or kept in the quarantine and set aside
      because storing it fails for a reason of its own (see quarantine list)
  75  EX_TEMPFAIL: it may succeed later (database unavailable, lock timeout,
      disk full); the mail is kept in the quarantine (the table, or a file in
      PATCHWORK_QUARANTINE_DIR) and stored automatically once the database
      answers; the MTA should deliver it again later, which finds it stored.
      With --exit-zero (or PATCHWORK_PARSEMAIL_EXIT_ZERO=true): 0 instead,
      unless the mail could be kept nowhere
  78  EX_CONFIG: the configuration cannot be used (one line says why); postfix
      bounces the mail on 78: --defer-config-errors answers 75 instead
  64  EX_USAGE: wrong options;  66  EX_NOINPUT: FILE cannot be read

Never 65 (EX_DATAERR): a mail that cannot be parsed is kept or dropped, and
answered 0. Each mail's outcome is logged as one line naming its Message-ID
(PATCHWORK_LOG: stderr, syslog, a file), and also written on stderr."""

    # call_command(..., stdin=stream) passes the mail without touching sys.stdin.
    stealth_options = ("stdin",)
    # An MTA starts one process per mail: the system checks (a third of the start-up
    # time) are left to the other commands.
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = keep_help_layout(super().create_parser(prog_name, subcommand, **kwargs))
        exit_with = parser.exit

        def exit(status: int = 0, message: str | None = None) -> None:
            # argparse's usage errors exit 2, which MTAs read as a permanent failure
            # with no meaning: sysexits' EX_USAGE says what it is.
            exit_with(EXIT_USAGE if status == 2 else status, message)

        parser.exit = exit
        return parser

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--list-id", help="store the mail in the project of this list id, whatever its headers"
        )
        parser.add_argument(
            "--exit-zero",
            action="store_true",
            help="answer 0 instead of 75 once the mail is kept (for MTAs where deferral is"
            " unwanted); also PATCHWORK_PARSEMAIL_EXIT_ZERO=true",
        )
        parser.add_argument(
            "--defer-config-errors",
            action="store_true",
            help="answer 75 (the MTA keeps the mail) instead of 78 to a configuration error",
        )
        parser.add_argument("infile", nargs="?", type=Path, help="the mail (default: stdin)")

    def handle(self, *args, **options) -> None:
        with echo_to_stderr():
            raw, size = self._read(options)
            exit_zero = options["exit_zero"] or settings.PARSEMAIL_EXIT_ZERO
            status = deliver(raw, options["list_id"], exit_zero=exit_zero, size=size)
        if status == EXIT_STORED:
            return
        if self._called_from_command_line:
            sys.exit(status)  # the log line said why
        raise CommandError("the mail was not stored; deliver it later", returncode=status)

    def _read(self, options: dict) -> tuple[bytes, int]:
        infile = options.get("infile")
        if infile is not None:
            try:
                with infile.open("rb") as stream:
                    return read_limited(stream, MAIL_MAX_BYTES)
            except OSError as error:
                raise CommandError(
                    f"cannot read the mail: {error}", returncode=EXIT_NO_INPUT
                ) from None
        try:
            return read_limited(options.get("stdin") or sys.stdin, MAIL_MAX_BYTES)
        except OSError as error:
            # The MTA still has the mail: let it try again.
            raise CommandError(
                f"cannot read the mail: {error}", returncode=EXIT_TEMPFAIL
            ) from None
