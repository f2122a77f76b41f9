"""The quarantine: mail that could not be stored, kept with its error until it is.

One quarantine in two places: the FailedMail table, and files in
``settings.QUARANTINE_DIR`` (``ingest.spool``) when the table itself cannot be reached.
Files go back into the table, or are stored, as soon as the database answers again
(``ingest.recovery``). A failed mail is *pending* when its error looked temporary (it
is retried automatically) and *set aside* when it breaks the parser or the store, or
failed ``QUARANTINE_MAX_ATTEMPTS`` times (retried only by ``quarantine retry``).
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, DataError, transaction
from django.db.models import Count
from django.utils import timezone

from ingest import spool
from ingest.models import FailedMail
from patchwork_api.limits import QUARANTINE_MAX_ATTEMPTS

logger = logging.getLogger("patchwork.ingest")

UNRESOLVED = (FailedMail.State.PENDING, FailedMail.State.SET_ASIDE)


@dataclass
class Kept:
    """Where a failed mail was kept: a quarantine row, a spool file, or nowhere."""

    failed_mail_id: int | None = None
    path: Path | None = None
    attempts: int = 0
    set_aside: bool = False

    @property
    def safe(self) -> bool:
        return self.failed_mail_id is not None or self.path is not None

    def describe(self) -> str:
        if self.failed_mail_id is not None:
            return f"quarantine {self.failed_mail_id} (attempt {self.attempts})"
        if self.path is not None:
            return f"file {self.path}"
        return "nowhere"


def is_temporary(error: BaseException) -> bool:
    """Whether an error of the store step may go away by itself: the database (down, a
    lock timeout, a lost race, a full disk, migrations not applied yet) or the system.
    A value the database refuses (DataError) is the mail's own problem."""
    if isinstance(error, DataError):
        return False
    return isinstance(error, DatabaseError | OSError)


def quarantine_directory() -> Path:
    return Path(settings.QUARANTINE_DIR)


def keep_failed(
    raw: bytes, error: str, *, msgid: str = "", list_id: str = "", temporary: bool = False
) -> Kept:
    """Keep a mail that could not be stored: in the table, else in the spool directory.

    ``list_id`` is the list id the delivery was given (``--list-id``), so that a retry
    is the same delivery again. The same mail failing again counts one more attempt on
    its row; a temporary failure becomes a set-aside one at ``QUARANTINE_MAX_ATTEMPTS``.
    """
    try:
        with transaction.atomic():
            return _save(raw, error, msgid[:255], list_id[:255], temporary=temporary)
    except DatabaseError as database_error:
        reason = f"{error} (quarantine table: {_first_line(database_error)})"
        try:
            path = spool.keep(
                quarantine_directory(), raw, msgid=msgid, list_id=list_id, error=reason
            )
        except OSError as file_error:
            logger.error(
                "parsemail: %s: kept nowhere: no database, and %s: %s",
                msgid or "(no Message-ID)",
                quarantine_directory(),
                file_error.strerror or file_error,
            )
            return Kept()
        return Kept(path=path, attempts=1)


def _save(raw: bytes, error: str, msgid: str, list_id: str, *, temporary: bool) -> Kept:
    existing = (
        FailedMail.objects.select_for_update()
        .filter(msgid=msgid, list_id=list_id, state__in=UNRESOLVED)
        .order_by("-id")
        .first()
        if msgid
        else None
    )
    attempts = existing.attempts + 1 if existing else 1
    set_aside = (
        not temporary
        or attempts >= QUARANTINE_MAX_ATTEMPTS
        or (existing is not None and existing.state == FailedMail.State.SET_ASIDE)
    )
    state = FailedMail.State.SET_ASIDE if set_aside else FailedMail.State.PENDING
    if existing is None:
        row = FailedMail.objects.create(
            msgid=msgid, list_id=list_id, error=error, raw=raw, state=state
        )
        return Kept(row.pk, attempts=1, set_aside=set_aside)
    FailedMail.objects.filter(pk=existing.pk).update(
        error=error, raw=raw, attempts=attempts, state=state, received=timezone.now()
    )
    return Kept(existing.pk, attempts=attempts, set_aside=set_aside)


def resolve_kept(msgid: str, raw: bytes) -> int:
    """Mark the quarantined copies of a mail just handled as resolved (an MTA delivered
    again what the quarantine also kept); how many. Only copies of the same bytes count:
    the same Message-ID sent to another list is another mail."""
    if not msgid:
        return 0
    rows = FailedMail.objects.filter(msgid=msgid[:255], state__in=UNRESOLVED).only("raw")
    same = [row.pk for row in rows if bytes(row.raw) == raw]
    if same:
        FailedMail.objects.filter(pk__in=same).update(state=FailedMail.State.RESOLVED)
    return len(same)


def mark_retried(failed: FailedMail, *, error: str | None, temporary: bool = False) -> None:
    """Record the outcome of a retry: resolved, or one more failed attempt (set aside
    when it was not temporary or attempts ran out)."""
    if error is None:
        failed.state = FailedMail.State.RESOLVED
        failed.save(update_fields=["state"])
        return
    failed.error = error
    failed.attempts += 1
    if not temporary or failed.attempts >= QUARANTINE_MAX_ATTEMPTS:
        failed.state = FailedMail.State.SET_ASIDE
    failed.save(update_fields=["error", "attempts", "state"])


def quarantine_counts(*, database: bool = True) -> dict[str, int | None]:
    """How many mails wait for an automatic retry (pending), for a hand (set aside),
    and in files; None for what cannot be counted (no database, unreadable directory)."""
    counts: dict[str, int | None] = {"pending": None, "set_aside": None}
    if database:
        rows = (
            FailedMail.objects.filter(state__in=UNRESOLVED)
            .values_list("state")
            .annotate(mails=Count("id"))
            .order_by()
        )
        by_state = dict(rows)
        counts["pending"] = by_state.get(FailedMail.State.PENDING, 0)
        counts["set_aside"] = by_state.get(FailedMail.State.SET_ASIDE, 0)
    counts["files"] = spool.count(quarantine_directory())
    return counts


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
