"""What parsemail does with one delivered mail, shared with ingestd: store it, log one
line about it, and choose the exit status the MTA acts on (sysexits.h).

  0  (EX_OK)        stored, or a duplicate, ignored, dropped, unparseable, too large,
                    or kept in the quarantine and set aside: nothing for the MTA to do
  75 (EX_TEMPFAIL)  it may succeed later (the database is down, a lock timed out, the
                    disk is full): the mail is kept in the quarantine, and the MTA
                    keeps it too and delivers it again (``exit_zero``: 0 instead, the
                    quarantine alone keeping it); also when it could be kept nowhere

78 (EX_CONFIG) and 64/66 are the command's (patchwork_api.cli, the parsemail command).
"""

import datetime
import logging
import os

from django.conf import settings
from django.utils import timezone

from ingest.management.helpers import report_level
from ingest.quarantine import keep_failed, resolve_kept
from ingest.recovery import pick_up
from ingest.services import MailReport, Status, describe_error, ingest_mail, raw_msgid
from ingest.store import IngestContext, flush_waiting
from patchwork_api.limits import MAIL_MAX_BYTES

logger = logging.getLogger("patchwork.ingest")

EXIT_STORED = os.EX_OK
EXIT_TEMPFAIL = os.EX_TEMPFAIL
DEFAULT_WAIT_SECONDS = 86400


def deliver(
    raw: bytes, list_id: str | None = None, *, exit_zero: bool = False, size: int | None = None
) -> int:
    """Store one mail as parsemail does, logging one line about it; its exit status.

    ``size`` is the mail's whole size when ``raw`` holds only its beginning (a mail
    larger than MAIL_MAX_BYTES is not read whole).
    """
    size = len(raw) if size is None else size
    if size > MAIL_MAX_BYTES:
        logger.warning(
            "parsemail: %s: dropped: %d bytes, more than MAIL_MAX_BYTES (%d)",
            raw_msgid(raw) or "(no Message-ID)",
            size,
            MAIL_MAX_BYTES,
        )
        return EXIT_STORED
    report = _ingest(raw, list_id)
    logger.log(report_level(report), "parsemail: %s", report.outcome())
    if report.status == Status.FAILED:
        return _failure_status(report, exit_zero=exit_zero)
    _after_success(report, raw)
    return EXIT_STORED


def _ingest(raw: bytes, list_id: str | None) -> MailReport:
    try:
        return ingest_mail(raw, list_id=list_id, context=IngestContext())
    except Exception as error:  # ingest_mail keeps what fails; this is a bug around it
        reason = f"internal error: {describe_error(error)}"
        msgid = raw_msgid(raw)
        kept = keep_failed(raw, reason, msgid=msgid, list_id=list_id or "", temporary=True)
        return MailReport(Status.FAILED, "error", msgid, reason, temporary=True, kept=kept)


def _failure_status(report: MailReport, *, exit_zero: bool) -> int:
    kept = report.kept
    if kept is None or not kept.safe:
        return EXIT_TEMPFAIL  # the MTA's copy is the only one left
    if kept.set_aside or not report.temporary or exit_zero:
        return EXIT_STORED
    return EXIT_TEMPFAIL


def _after_success(report: MailReport, raw: bytes) -> None:
    """Housekeeping once a mail is handled; its failures never change the exit status."""
    try:
        resolve_kept(report.msgid, raw)
        pick_up()
    except Exception as error:  # the mail itself is handled; report and carry on
        logger.warning("parsemail: could not pick up quarantined mail: %s", error)
    settle_stale_replies()


def settle_stale_replies() -> None:
    """Replies that waited too long for their parent are settled as Patchwork would."""
    wait = getattr(settings, "INGEST_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)
    cutoff = timezone.now() - datetime.timedelta(seconds=wait)
    try:
        flush_waiting(received_before=cutoff)
    except Exception as error:  # the mail itself is stored; report and carry on
        logger.warning("parsemail: could not settle old waiting replies: %s", error)
