"""manage.py quarantine: list, show, retry and purge mail that failed to ingest."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ingest.management.helpers import keep_help_layout
from ingest.models import FailedMail, UnattachedMail
from ingest.quarantine import mark_retried
from ingest.services import Status, ingest_mail
from ingest.store import IngestContext, flush_waiting

EXIT_FAILED = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = """Mail that failed to ingest (a parser or store error, a database outage) is
kept in the quarantine with its error. Once the cause is fixed, retry it.

  list [--all]      quarantined mails (--all: resolved ones too)
  show ID           the error and the raw mail
  retry [ID ...]    ingest again (default: every unresolved mail)
  purge [--all]     delete resolved mails (--all: every mail)
  waiting           replies waiting for a parent that has not arrived
  flush             settle waiting replies now (attach to a known ancestor or drop)

Exit status: 0 done; 1 a retried mail failed again; 2 unknown mail id."""

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
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict) -> None:
        mails = (
            FailedMail.objects.all()
            if options["all"]
            else FailedMail.objects.filter(resolved=False)
        )
        for mail in mails.defer("raw"):
            state = "resolved" if mail.resolved else f"{mail.attempts} attempts"
            error = mail.error.splitlines()[0] if mail.error else ""
            self.stdout.write(
                f"{mail.id:>6}  {_when(mail.received)}  {state:<12}  {mail.msgid or '-'}  {error}"
            )

    def _show(self, options: dict) -> None:
        mail = self._get(options["id"])
        self.stdout.write(f"Message-ID: {mail.msgid or '-'}\nList-Id: {mail.list_id or '-'}")
        self.stdout.write(f"Received: {_when(mail.received)}\nAttempts: {mail.attempts}")
        self.stdout.write(f"Resolved: {'yes' if mail.resolved else 'no'}\nError: {mail.error}\n")
        self.stdout.write(bytes(mail.raw).decode("utf-8", "replace"))

    def _retry(self, options: dict) -> None:
        if options["ids"]:
            mails = [self._get(mail_id) for mail_id in options["ids"]]
        else:
            mails = list(FailedMail.objects.filter(resolved=False))
        context = IngestContext()
        failures = 0
        for mail in mails:
            report = ingest_mail(
                bytes(mail.raw), list_id=mail.list_id or None, context=context, quarantine=False
            )
            failed = report.status == Status.FAILED
            failures += failed
            mark_retried(mail, error=report.reason if failed else None)
            self.stdout.write(f"{mail.id:>6}  {report.describe()}")
        if failures:
            raise CommandError(f"{failures} mails failed again", returncode=EXIT_FAILED)

    def _purge(self, options: dict) -> None:
        mails = (
            FailedMail.objects.all()
            if options["all"]
            else FailedMail.objects.filter(resolved=True)
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
