"""The quarantine: mail that failed to ingest, kept with its error until it is retried.

Failed mail goes to the FailedMail table. When the database itself is unreachable it is
written to ``settings.QUARANTINE_DIR`` instead (``<time>-<n>.eml`` with a ``.error``
file beside it), so an MTA delivery is never lost.
"""

import datetime
import itertools
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from ingest.models import FailedMail

logger = logging.getLogger("patchwork.ingest")

_file_counter = itertools.count()


def quarantine_mail(raw: bytes, error: str, *, msgid: str = "", list_id: str = "") -> int | None:
    """Keep a failed mail; return its FailedMail id (None when it went to a file).

    The same Message-ID failing again counts another attempt on the same row.
    """
    try:
        with transaction.atomic():
            return _save(raw, error, msgid[:255], list_id[:255])
    except DatabaseError as database_error:
        try:
            path = quarantine_file(raw, f"{error}\n(database: {database_error})")
        except OSError as file_error:
            logger.error("mail %s lost: no database, no file: %s", msgid or "?", file_error)
        else:
            logger.error("database unavailable; mail %s kept in %s", msgid or "?", path)
        return None


def _save(raw: bytes, error: str, msgid: str, list_id: str) -> int:
    existing = (
        FailedMail.objects.filter(msgid=msgid, resolved=False).order_by("-id").first()
        if msgid
        else None
    )
    if existing is not None:
        FailedMail.objects.filter(pk=existing.pk).update(
            error=error, raw=raw, attempts=F("attempts") + 1, received=timezone.now()
        )
        return existing.pk
    return FailedMail.objects.create(msgid=msgid, list_id=list_id, error=error, raw=raw).pk


def quarantine_file(raw: bytes, error: str) -> Path:
    directory = Path(settings.QUARANTINE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    stem = f"{stamp}-{os.getpid()}-{next(_file_counter)}"
    path = directory / f"{stem}.eml"
    path.write_bytes(raw)
    (directory / f"{stem}.error").write_text(error + "\n")
    return path


def mark_retried(failed: FailedMail, *, error: str | None) -> None:
    """Record the outcome of a retry: resolved, or one more failed attempt."""
    if error is None:
        failed.resolved = True
        failed.save(update_fields=["resolved"])
        return
    failed.error = error
    failed.attempts += 1
    failed.save(update_fields=["error", "attempts"])
