"""``manage.py follow-inbox``: ingest what is new in a public-inbox v2 archive."""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from inboxes.archive import ArchiveError
from inboxes.follow import follow
from ingest.management.helpers import report_level
from ingest.services import MailReport
from projects.models import Project

logger = logging.getLogger("patchwork.ingest")


class Command(BaseCommand):
    help = """Ingest every message of a public-inbox v2 archive (a directory with
git/0.git, git/1.git..., or its URL, e.g. https://lore.kernel.org/LIST) that was not
ingested yet, oldest first, through the same store step as parsemail. Where each epoch
stopped is kept in the database with each message, so running it again (from cron or
a systemd timer) ingests only what is new, and an interrupted run resumes where it
stopped. Exit status 0, or 1 when some messages were quarantined; 2 when the archive
cannot be read; 75 when the database failed (run it again)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the inbox directory, or its git URL")
        parser.add_argument("--list-id", help="store every message in the project of this list id")
        parser.add_argument(
            "--project", help="store every message in this project (its link name)"
        )
        parser.add_argument(
            "--limit", type=int, help="ingest at most this many messages in this run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        list_id = options["list_id"]
        if options["project"]:
            project = Project.objects.filter(linkname=options["project"]).first()
            if project is None:
                raise CommandError(f"no project with link name {options['project']!r}")
            if list_id and list_id != project.listid:
                raise CommandError("--list-id and --project name different lists")
            list_id = project.listid
        try:
            summary = follow(
                options["source"], list_id=list_id, limit=options["limit"], on_report=self.log
            )
        except ArchiveError as error:
            raise CommandError(str(error), returncode=2) from None
        except DatabaseError as error:
            # Nothing after the last committed message is lost: the next run resumes there.
            raise CommandError(f"database error: {error}", returncode=75) from None
        self.stdout.write(summary.as_text(), ending="")
        if summary.errors:
            raise CommandError(f"{summary.errors} messages failed and were quarantined")

    def log(self, report: MailReport) -> None:
        logger.log(report_level(report), "follow-inbox: %s", report.outcome())
