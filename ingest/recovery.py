"""Getting quarantined mail stored: retries by hand, and the automatic pick-up.

The pick-up runs after every successful ``parsemail`` delivery and once a minute in
``ingestd``: it stores the mails the spool directory kept while the database was down
(a mail that fails for a lasting reason goes into the table, set aside) and retries the
table's pending mails, oldest first, at most ``QUARANTINE_PICKUP_BATCH`` at a time. It
stops at the first temporary failure: the database is gone again. Storing is idempotent
(a mail stored twice is found as a duplicate), so a mail the MTA delivers again after
the pick-up stored it, or the other way round, is stored once.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ingest import spool
from ingest.models import FailedMail
from ingest.quarantine import keep_failed, mark_retried, quarantine_directory, resolve_kept
from ingest.services import MailReport, Status, ingest_mail
from ingest.store import IngestContext
from patchwork_api.limits import QUARANTINE_PICKUP_BATCH

logger = logging.getLogger("patchwork.ingest")


@dataclass
class Pickup:
    """What one pick-up did: the mails it handled, and whether it stopped early."""

    reports: list[MailReport] = field(default_factory=list)
    interrupted: bool = False

    @property
    def stored(self) -> int:
        return sum(report.status != Status.FAILED for report in self.reports)


def retry(failed: FailedMail, context: IngestContext | None = None) -> MailReport:
    """Deliver a quarantined mail again, as its first delivery was made; record how it went."""
    report = ingest_mail(
        bytes(failed.raw), list_id=failed.list_id or None, context=context, quarantine=False
    )
    failure = report.status == Status.FAILED
    mark_retried(failed, error=report.reason if failure else None, temporary=report.temporary)
    return report


def pick_up(limit: int = QUARANTINE_PICKUP_BATCH) -> Pickup:
    """Store what the quarantine holds for automatic retry (spool files, pending rows)."""
    pickup = Pickup()
    directory = quarantine_directory()
    with spool.pickup_lock(directory) as ours:
        if not ours:
            return pickup  # another process is at it
        context = IngestContext()
        files = spool.mail_files(directory)
        for path in files[:limit]:
            report = _store_file(path, context)
            if report is None:
                continue
            pickup.reports.append(report)
            if report.status == Status.FAILED and report.temporary:
                pickup.interrupted = True
                return pickup
        if files:
            spool.remove_abandoned(directory)
        pending = FailedMail.objects.filter(state=FailedMail.State.PENDING).order_by("id")
        for failed in pending[: max(0, limit - len(pickup.reports))]:
            report = retry(failed, context)
            pickup.reports.append(report)
            if report.status == Status.FAILED and report.temporary:
                pickup.interrupted = True
                break
    for report in pickup.reports:
        logger.log(_level(report), "pick-up: %s", report.outcome())
    return pickup


def _store_file(path, context: IngestContext) -> MailReport | None:
    with spool.taken(path) as mail:
        if mail is None:
            return None
        report = ingest_mail(
            mail.raw, list_id=mail.list_id or None, context=context, quarantine=False
        )
        if report.status == Status.FAILED:
            if report.temporary:
                return report  # the file stays for the next pick-up
            report.kept = keep_failed(
                mail.raw, report.reason, msgid=report.msgid, list_id=mail.list_id
            )
            if report.kept.path is not None or not report.kept.safe:
                return report  # still no table: the file is where it was
        else:
            resolve_kept(report.msgid, mail.raw)
        spool.remove(path)
        return report


def import_spool() -> int:
    """Move the spool directory's mails into the table as pending mails (for the
    ``quarantine`` command, so that they are listed, shown and retried by id); how many."""
    moved = 0
    for path in spool.mail_files(quarantine_directory()):
        with spool.taken(path) as mail:
            if mail is None:
                continue
            with transaction.atomic():
                FailedMail.objects.create(
                    msgid=mail.msgid[:255],
                    list_id=mail.list_id[:255],
                    error=mail.error,
                    raw=mail.raw,
                    state=FailedMail.State.PENDING,
                    received=_received(mail.received),
                )
            spool.remove(path)
            moved += 1
    return moved


def _received(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return timezone.now()


def _level(report: MailReport) -> int:
    return logging.ERROR if report.status == Status.FAILED else logging.INFO
