"""What ``parsemail`` does with one delivered mail, shared with the ``ingestd`` daemon."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from ingest.management.helpers import report_level
from ingest.services import Status, ingest_mail
from ingest.store import IngestContext, flush_waiting

logger = logging.getLogger("patchwork.ingest")

EXIT_STORED = 0  # stored, or skipped: duplicate, ignored, dropped, unparseable
EXIT_RETRY = 1  # a database or internal error: quarantined, the MTA should retry
DEFAULT_WAIT_SECONDS = 86400


def deliver(raw: bytes, list_id: str | None = None) -> int:
    """Store one mail as parsemail does, logging one line about it; its exit status."""
    try:
        report = ingest_mail(raw, list_id=list_id, context=IngestContext())
    except Exception as error:  # never a traceback for the MTA
        logger.error("parsemail: internal error: %s: %s", type(error).__name__, error)
        return EXIT_RETRY
    if report.status == Status.FAILED:
        logger.error("parsemail: %s (quarantined)", report.describe())
        return EXIT_RETRY
    logger.log(report_level(report), "parsemail: %s", report.describe())
    settle_stale_replies()
    return EXIT_STORED


def settle_stale_replies() -> None:
    """Replies that waited too long for their parent are settled as Patchwork would."""
    wait = getattr(settings, "INGEST_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)
    cutoff = timezone.now() - datetime.timedelta(seconds=wait)
    try:
        flush_waiting(received_before=cutoff)
    except Exception as error:  # the mail itself is stored; report and carry on
        logger.warning("parsemail: could not settle old waiting replies: %s", error)
