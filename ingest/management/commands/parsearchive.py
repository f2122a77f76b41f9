"""manage.py parsearchive: import mbox archives and maildirs, then print a summary."""

import json
import logging
import lzma
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ingest.archives import Archive
from ingest.management.helpers import keep_help_layout, prepared_statements
from ingest.parallel import default_jobs, parse_all
from ingest.services import BATCH_MAILS, BATCH_SECONDS, MailReport, Status, store_batches
from ingest.store import IngestContext, Outcome, Settled, flush_waiting
from ingest.store.statistics import PlannerStatistics
from projects.models import Project

logger = logging.getLogger("patchwork.ingest")

EXIT_ERRORS = 1
EXIT_USAGE = 2
PROGRESS_SECONDS = 0.25


@dataclass
class Summary:
    messages: int = 0
    patches: int = 0
    cover_letters: int = 0
    comments: int = 0
    waiting: int = 0
    duplicates: int = 0
    ignored: int = 0
    dropped: int = 0
    unparseable: int = 0
    errors: int = 0
    seconds: float = 0.0
    waiting_msgids: set[str] = field(default_factory=set)
    project_ids: set[int] = field(default_factory=set)

    COUNTERS = {
        "patch": "patches",
        "cover": "cover_letters",
        "comment": "comments",
        "duplicate": "duplicates",
        "ignored": "ignored",
        "dropped": "dropped",
        "unparseable": "unparseable",
        "error": "errors",
    }

    def add(self, report: MailReport) -> None:
        self.messages += 1
        if report.project_id is not None:
            self.project_ids.add(report.project_id)
        if report.kind == Outcome.WAITING:
            self.waiting_msgids.add(report.msgid)
        elif report.kind in self.COUNTERS:
            attribute = self.COUNTERS[report.kind]
            setattr(self, attribute, getattr(self, attribute) + 1)
        self.settle(report.settled)

    def settle(self, settled: list[Settled]) -> None:
        """Replies that waited for a parent became comments, or were dropped."""
        for item in settled:
            if item.msgid in self.waiting_msgids:
                self.waiting_msgids.discard(item.msgid)
                if item.kind == Outcome.COMMENT:
                    self.comments += 1
                else:
                    self.dropped += 1

    def as_dict(self) -> dict[str, int | float]:
        self.waiting = len(self.waiting_msgids)
        rate = self.messages / self.seconds if self.seconds else 0.0
        return {
            "messages": self.messages,
            "patches": self.patches,
            "cover_letters": self.cover_letters,
            "comments": self.comments,
            "waiting": self.waiting,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
            "dropped": self.dropped,
            "unparseable": self.unparseable,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "mails_per_second": round(rate, 1),
        }

    def as_text(self) -> str:
        values = self.as_dict()
        labels = [
            ("messages read", "messages"),
            ("patches", "patches"),
            ("cover letters", "cover_letters"),
            ("comments", "comments"),
            ("waiting for parent", "waiting"),
            ("duplicates", "duplicates"),
            ("ignored", "ignored"),
            ("dropped", "dropped"),
            ("unparseable", "unparseable"),
            ("errors", "errors"),
        ]
        lines = [f"{label:<20}{values[key]:>10}" for label, key in labels]
        lines.append(
            f"{'time':<20}{values['seconds']:>10.1f} s ({values['mails_per_second']} mails/s)"
        )
        return "\n".join(lines) + "\n"


class Progress:
    """A one-line progress display on a terminal's stderr; silent elsewhere."""

    def __init__(self, stream, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.shown_at = 0.0

    def update(self, archive: Archive, summary: Summary, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.shown_at < PROGRESS_SECONDS):
            return
        self.shown_at = now
        rate = summary.messages / max(now - self.started, 1e-6)
        done = ""
        if archive.total_bytes:
            done = f" {100 * archive.bytes_read / archive.total_bytes:5.1f}%"
        self.stream.write(
            f"\r{archive.path.name}:{done} {summary.messages} mails, {rate:.0f}/s, "
            f"{summary.errors} errors",
            ending="",
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("")


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = """Import mail archives: mbox files (plain, .gz, .xz or .bz2; mboxrd
escaping undone) and maildirs, read as streams. Each mail is stored as parsemail
would store it, whole or not at all; one bad mail never stops the import: it is kept
in the quarantine (manage.py quarantine) and counted as an error. Mails are committed
in batches (--batch-size, and at least every quarter of a second); an interrupted
import loses at most the batch in progress, which running it again adds (mails
already stored are counted as duplicates). At the end, replies still waiting for
a parent that never came are settled as Patchwork would (attached to a known
ancestor, or dropped), unless --keep-waiting is given. A summary (messages read,
patches, cover letters, comments, duplicates, ignored, dropped, errors) is printed,
as JSON with --json; a progress line is shown on stderr when it is a terminal.

Exit status:
  0  every mail was handled (stored or skipped)
  1  some mails failed and were quarantined (or the database failed)
  2  a path could not be read"""

    def create_parser(self, prog_name, subcommand, **kwargs):
        return keep_help_layout(super().create_parser(prog_name, subcommand, **kwargs))

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--list-id", help="store every mail in the project of this list id")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="processes that parse mail while this one stores it (default: one per"
            " core; 1 parses in this process)",
        )
        parser.add_argument(
            "--batch-size",
            type=positive,
            default=BATCH_MAILS,
            metavar="N",
            help=f"mails stored per transaction (default {BATCH_MAILS}; a transaction also"
            f" ends after {BATCH_SECONDS} s; 1 commits every mail)",
        )
        parser.add_argument(
            "--no-prepared-statements",
            action="store_true",
            help="do not let PostgreSQL prepare statements (behind a pooler in transaction mode)",
        )
        parser.add_argument(
            "--keep-waiting",
            action="store_true",
            help="leave replies whose parent is missing waiting (for a later import)",
        )

    def handle(self, *args, **options) -> None:
        archives = [self._archive(path) for path in options["paths"]]
        with prepared_statements(not options["no_prepared_statements"]):
            summary = self._import_all(archives, options)
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        else:
            self.stdout.write(summary.as_text(), ending="")
        if summary.errors:
            raise CommandError(
                f"{summary.errors} mails failed and were quarantined", returncode=EXIT_ERRORS
            )

    def _import_all(self, archives: list[Archive], options: dict) -> Summary:
        summary = Summary()
        context = IngestContext()
        statistics = PlannerStatistics()
        progress = Progress(self.stderr, enabled=self.stderr.isatty())
        started = time.monotonic()
        for archive in archives:
            try:
                self._import(archive, options, context, summary, progress, statistics)
            except (OSError, EOFError, lzma.LZMAError) as error:
                # A truncated or corrupt file: what was read is kept, the rest is lost.
                summary.errors += 1
                logger.error("parsearchive: %s: cannot read further: %s", archive.path, error)
        progress.finish()
        if not options["keep_waiting"] and summary.project_ids:
            self._settle_waiting(summary, context)
        summary.seconds = time.monotonic() - started
        return summary

    def _settle_waiting(self, summary: Summary, context: IngestContext) -> None:
        """Replies whose parent never came: attached to a known ancestor, or dropped."""
        try:
            projects = list(Project.objects.filter(id__in=summary.project_ids))
            summary.settle(flush_waiting(projects=projects, context=context))
        except DatabaseError as error:
            summary.errors += 1
            logger.error("parsearchive: could not settle waiting replies: %s", error)

    def _import(
        self,
        archive: Archive,
        options: dict,
        context: IngestContext,
        summary: Summary,
        progress: Progress,
        statistics: PlannerStatistics,
    ) -> None:
        list_id = options["list_id"]
        outcomes = parse_all(archive.messages(), list_id=list_id, jobs=options["jobs"])
        reports = store_batches(
            outcomes, context=context, list_id=list_id, max_mails=options["batch_size"]
        )
        for report in reports:
            summary.add(report)
            if report.status == Status.STORED:
                statistics.mail_stored()
            elif report.status == Status.FAILED:
                logger.error("parsearchive: %s (quarantined)", report.describe())
            else:
                logger.debug("parsearchive: %s", report.describe())
            progress.update(archive, summary)
        progress.update(archive, summary, force=True)

    def _archive(self, path: Path) -> Archive:
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory", returncode=EXIT_USAGE)
        if path.is_file():
            try:
                path.open("rb").close()
            except OSError as error:
                raise CommandError(f"{path}: {error}", returncode=EXIT_USAGE) from None
        return Archive(path)
