"""manage.py quarantine: list, show, retry and purge mail that failed to ingest."""

import datetime
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ingest import spool
from ingest.management.helpers import keep_help_layout
from ingest.models import FailedMail, UnattachedMail
from ingest.quarantine import UNRESOLVED, quarantine_directory
from ingest.recovery import import_spool, retry
from ingest.services import Status
from ingest.store import IngestContext, flush_waiting

EXIT_FAILED = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = """Mail that could not be stored is kept in the quarantine with its error: in
its table, or, while the database cannot be reached, in files in
PATCHWORK_QUARANTINE_DIR, which every quarantine command first moves into the table.

  pending    the error looked temporary (database down, lock timeout); retried
             automatically by ingestd and after each successful parsemail
  set aside  the mail breaks the parser or the store, or failed 5 times
             (QUARANTINE_MAX_ATTEMPTS); retried only here, once the cause is fixed

  list [--all]      quarantined mails (--all: resolved ones too)
  show ID           the error and the raw mail
  retry [ID ...]    store again (default: every unresolved mail)
  purge [--all]     delete resolved mails (--all: every mail)
  waiting           replies waiting for a parent that has not arrived
  flush             settle waiting replies now (attach to a known ancestor or drop)

Exit status: 0 done; 1 a retried mail failed again; 2 unknown mail id;
75 the database cannot be reached (list still shows the files kept meanwhile)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        return keep_help_layout(super().create_parser(prog_name, subcommand, **kwargs))

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="list quarantined mails")
        listing.add_argument("--all", action="store_true", help="resolved ones too")
        show = actions.add_parser("show", help="print a quarantined mail and its error")
        show.add_argument("id", type=int)
        retry = actions.add_parser("retry", help="ingest quarantined mails again")
        retry.add_argument("ids", type=int, nargs="*", metavar="ID")
        purge = actions.add_parser("purge", help="delete resolved mails")
        purge.add_argument("--all", action="store_true", help="delete every mail")
        actions.add_parser("waiting", help="list replies waiting for their parent")
        actions.add_parser("flush", help="settle waiting replies now")

    def handle(self, *args, **options) -> None:
        try:
            moved = import_spool()
        except DatabaseError as error:
            self._without_database(options, error)
            return
        if moved:
            self.stderr.write(f"{moved} mails kept in files meanwhile moved into the quarantine")
        getattr(self, f"_{options['action']}")(options)

    def _without_database(self, options: dict, error: DatabaseError) -> None:
        """The database cannot be reached: list what the spool directory holds."""
        if options["action"] == "list":
            for path in spool.mail_files(quarantine_directory()):
                with spool.taken(path) as mail:
                    if mail is not None:
                        received = mail.received.replace("T", " ")
                        self.stdout.write(
                            f"{'file':>6}  {received}  {'pending':<16}  {mail.msgid or '-'}  "
                            f"{_first_line(mail.error)}  [{path.name}]"
                        )
        first_line = _first_line(str(error))
        raise CommandError(f"database unavailable: {first_line}", returncode=os.EX_TEMPFAIL)

    def _list(self, options: dict) -> None:
        mails = (
            FailedMail.objects.all()
            if options["all"]
            else FailedMail.objects.filter(state__in=UNRESOLVED)
        )
        for mail in mails.defer("raw"):
            state = f"{mail.get_state_display()}, {_attempts(mail.attempts)}"
            self.stdout.write(
                f"{mail.id:>6}  {_when(mail.received)}  {state:<16}  {mail.msgid or '-'}  "
                f"{_first_line(mail.error)}"
            )

    def _show(self, options: dict) -> None:
        mail = self._get(options["id"])
        list_id = mail.list_id or "- (from its headers)"
        self.stdout.write(f"Message-ID: {mail.msgid or '-'}\nList-Id given: {list_id}")
        self.stdout.write(f"Received: {_when(mail.received)}\nAttempts: {mail.attempts}")
        self.stdout.write(f"State: {mail.get_state_display()}\nError: {mail.error}\n")
        self.stdout.write(bytes(mail.raw).decode("utf-8", "replace"))

    def _retry(self, options: dict) -> None:
        if options["ids"]:
            mails = [self._get(mail_id) for mail_id in options["ids"]]
        else:
            mails = list(FailedMail.objects.filter(state__in=UNRESOLVED))
        context = IngestContext()
        failures = 0
        for mail in mails:
            report = retry(mail, context)
            failures += report.status == Status.FAILED
            self.stdout.write(f"{mail.id:>6}  {report.outcome()}")
        if failures:
            raise CommandError(f"{failures} mails failed again", returncode=EXIT_FAILED)

    def _purge(self, options: dict) -> None:
        mails = (
            FailedMail.objects.all()
            if options["all"]
            else FailedMail.objects.filter(state=FailedMail.State.RESOLVED)
        )
        deleted, _ = mails.delete()
        self.stdout.write(f"{deleted} mails deleted")

    def _waiting(self, options: dict) -> None:
        rows = UnattachedMail.objects.filter(status=UnattachedMail.Status.WAITING)
        for row in rows.select_related("project"):
            self.stdout.write(
                f"{_when(row.received)}  {row.project.linkname}  {row.msgid}  "
                f"waiting for {row.parent_msgid}"
            )

    def _flush(self, options: dict) -> None:
        settled = flush_waiting()
        comments = sum(1 for item in settled if item.kind == "comment")
        self.stdout.write(f"{comments} comments, {len(settled) - comments} dropped")

    def _get(self, mail_id: int) -> FailedMail:
        mail = FailedMail.objects.filter(pk=mail_id).first()
        if mail is None:
            raise CommandError(f"no quarantined mail {mail_id}", returncode=EXIT_USAGE)
        return mail


def _when(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""
