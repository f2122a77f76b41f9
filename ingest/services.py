"""Ingesting one raw mail: parse, store, and keep it in the quarantine if that fails.

``ingest_mail`` is what ``parsemail``, ``parsearchive`` and ``quarantine retry`` call;
it never raises for a bad mail: the outcome says what happened. A mail that makes the
parser or the store fail (a bug, a database error) is kept in the quarantine with its
error so that it can be retried once the cause is fixed.
"""

import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import DatabaseError, transaction

from ingest.message import MailParseError, ParsedMail
from ingest.parser import parse_mail
from ingest.quarantine import Kept, is_temporary, keep_failed
from ingest.store import IngestContext, Settled, StoreResult, store_mail
from ingest.store.batch import StoreBatch

logger = logging.getLogger("patchwork.ingest")

# parsearchive's batches: long enough to share the commit and the lock among many
# mails, short enough that a concurrent parsemail waits for the project lock briefly.
BATCH_MAILS = 200
BATCH_SECONDS = 0.25

RAW_MSGID = re.compile(rb"^message-id:[ \t]*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)


class Status(StrEnum):
    STORED = "stored"  # a patch, cover letter or comment (or a reply now waiting)
    SKIPPED = "skipped"  # duplicate, ignored, dropped: nothing to do, nothing wrong
    UNPARSEABLE = "unparseable"  # not a mail Patchwork would look at (logged, dropped)
    FAILED = "failed"  # the parser or the store raised: quarantined


@dataclass
class MailReport:
    status: Status
    kind: str  # patch/cover/comment/waiting/duplicate/ignored/dropped/unparseable/error
    msgid: str = ""
    reason: str = ""
    project_id: int | None = None
    database_error: bool = False
    settled: list[Settled] = field(default_factory=list)
    # What was stored: the patch, cover letter or comment's id, its series, its parent.
    object_id: int | None = None
    series_id: int | None = None
    parent: str = ""  # "patch 12" or "cover 3" for a comment
    project: str = ""  # the project's linkname
    # A failure: whether it may go away by itself, and where the mail was kept.
    temporary: bool = False
    kept: Kept | None = None

    @property
    def failed_mail_id(self) -> int | None:
        return self.kept.failed_mail_id if self.kept else None

    def describe(self) -> str:
        text = f"{self.kind} {self.msgid or '(no Message-ID)'}"
        return f"{text}: {self.reason}" if self.reason else text

    def outcome(self) -> str:
        """One line for the log: the Message-ID, then what became of the mail and why."""
        msgid = self.msgid or "(no Message-ID)"
        if self.status == Status.FAILED:
            kept = self.kept or Kept()
            verb = "set aside" if kept.set_aside or not self.temporary else "deferred"
            return f"{msgid}: {verb}, kept in {kept.describe()}: {self.reason}"
        if self.status == Status.UNPARSEABLE:
            return f"{msgid}: dropped, unparseable: {self.reason}"
        if self.kind in ("patch", "cover", "comment"):
            details = [f"series {self.series_id}"] if self.series_id else []
            details += [f"on {self.parent}"] if self.parent else []
            details += [f"project {self.project}"] if self.project else []
            return f"{msgid}: stored as {self.kind} {self.object_id} ({', '.join(details)})"
        return f"{msgid}: {self.kind}: {self.reason}" if self.reason else f"{msgid}: {self.kind}"


@dataclass
class ParseOutcome:
    """The pure first step of ingest (no database): the raw mail and what the parser made.

    Errors are kept as text so that an outcome made in a worker process always pickles.
    """

    raw: bytes
    mail: ParsedMail | None = None
    unparseable: str = ""  # why Patchwork would not look at this mail at all
    failure: str = ""  # a parser error: the mail goes to the quarantine


def parse_raw(raw: bytes, list_id: str | None = None) -> ParseOutcome:
    """Parse a raw mail, catching every parser error (this may run in a worker process)."""
    try:
        return ParseOutcome(raw, parse_mail(raw, list_id_override=list_id))
    except MailParseError as error:
        return ParseOutcome(raw, unparseable=str(error))
    except Exception as error:  # a parser bug must not lose the mail
        return ParseOutcome(raw, failure=describe_error(error))


def ingest_mail(
    raw: bytes,
    *,
    list_id: str | None = None,
    context: IngestContext | None = None,
    quarantine: bool = True,
) -> MailReport:
    """Parse and store one mail; report what became of it."""
    outcome = parse_raw(raw, list_id)
    return store_parsed(outcome, context=context, quarantine=quarantine, list_id=list_id)


def store_parsed(
    outcome: ParseOutcome,
    *,
    context: IngestContext | None = None,
    quarantine: bool = True,
    list_id: str | None = None,
    batch: StoreBatch | None = None,
) -> MailReport:
    """Store what ``parse_raw`` made of a mail; report what became of it.

    With a ``batch`` (inside the caller's transaction), an error of the store step
    propagates instead of being quarantined: the caller rolls the batch back.
    """
    raw = outcome.raw
    if outcome.unparseable:
        return MailReport(Status.UNPARSEABLE, "unparseable", raw_msgid(raw), outcome.unparseable)
    if outcome.failure or outcome.mail is None:
        return _failed(raw, outcome.failure, raw_msgid(raw), list_id, quarantine=quarantine)
    parsed = outcome.mail
    if batch is not None:
        return _report(store_mail(parsed, context=context, batch=batch), parsed.msgid)
    try:
        result = store_mail(parsed, context=context)
    except Exception as error:  # kept in the quarantine and reported
        return _failed(
            raw,
            describe_error(error),
            parsed.msgid,
            list_id,
            quarantine=quarantine,
            database_error=isinstance(error, DatabaseError),
            temporary=is_temporary(error),
        )
    return _report(result, parsed.msgid)


def store_batches(
    outcomes: Iterable[ParseOutcome],
    *,
    context: IngestContext,
    list_id: str | None = None,
    max_mails: int = BATCH_MAILS,
    max_seconds: float = BATCH_SECONDS,
) -> Iterator[MailReport]:
    """Store parsed mails in batches of one transaction each (see ``store.batch``).

    A batch ends after ``max_mails`` mails or ``max_seconds``, whichever comes first;
    its reports are yielded once it is committed. When a mail of the batch fails, the
    batch is rolled back and its mails are stored again one transaction each, so that
    only the failing mail is quarantined. When reading the next mail fails (a truncated
    archive), the mails read before are stored, then the error propagates.
    """
    pending = iter(outcomes)
    while True:
        attempt = _store_batch(pending, context, list_id, max_mails, max_seconds)
        reports = attempt.reports
        if reports is None:
            logger.info(
                "a batch of %d mails was rolled back (%s); storing them one by one",
                len(attempt.outcomes),
                attempt.failure,
            )
            context.clear()
            reports = [
                store_parsed(outcome, context=context, list_id=list_id)
                for outcome in attempt.outcomes
            ]
        yield from reports
        if attempt.read_error is not None:
            raise attempt.read_error
        if attempt.exhausted:
            return


@dataclass
class _BatchAttempt:
    outcomes: list[ParseOutcome] = field(default_factory=list)
    reports: list[MailReport] | None = field(default_factory=list)  # None: rolled back
    failure: str = ""
    read_error: Exception | None = None
    exhausted: bool = False


def _store_batch(
    pending: Iterator[ParseOutcome],
    context: IngestContext,
    list_id: str | None,
    max_mails: int,
    max_seconds: float,
) -> _BatchAttempt:
    attempt = _BatchAttempt()
    batch = StoreBatch()
    deadline = time.monotonic() + max_seconds
    try:
        with transaction.atomic():
            while not attempt.outcomes or (
                len(attempt.outcomes) < max_mails and time.monotonic() < deadline
            ):
                try:
                    outcome = next(pending)
                except StopIteration:
                    attempt.exhausted = True
                    break
                except Exception as error:  # the archive could not be read further
                    attempt.read_error = error
                    break
                attempt.outcomes.append(outcome)
                attempt.reports.append(
                    store_parsed(outcome, context=context, list_id=list_id, batch=batch)
                )
            batch.finish()
    except Exception as error:  # rolled back: the mails are stored one by one
        attempt.reports = None
        attempt.failure = describe_error(error)
    return attempt


def _report(result: StoreResult, msgid: str) -> MailReport:
    stored = result.kind.value in ("patch", "cover", "comment", "waiting")
    stored_object = result.obj
    parent = ""
    if getattr(stored_object, "patch_id", None):
        parent = f"patch {stored_object.patch_id}"
    elif getattr(stored_object, "cover_id", None):
        parent = f"cover {stored_object.cover_id}"
    return MailReport(
        Status.STORED if stored else Status.SKIPPED,
        result.kind.value,
        msgid,
        result.reason,
        project_id=result.project.id if result.project else None,
        settled=result.settled,
        object_id=stored_object.pk if stored_object is not None else None,
        series_id=getattr(stored_object, "series_id", None),
        parent=parent,
        project=result.project.linkname if result.project else "",
    )


def _failed(
    raw: bytes,
    reason: str,
    msgid: str,
    list_id: str | None,
    *,
    quarantine: bool,
    database_error: bool = False,
    temporary: bool = False,
) -> MailReport:
    """A mail the parser or the store failed on, kept in the quarantine when asked.

    A parser error is never temporary: the same bytes fail the same way next time.
    """
    kept = None
    if quarantine:
        kept = keep_failed(raw, reason, msgid=msgid, list_id=list_id or "", temporary=temporary)
    return MailReport(
        Status.FAILED,
        "error",
        msgid,
        reason,
        database_error=database_error,
        temporary=temporary,
        kept=kept,
    )


def describe_error(error: Exception) -> str:
    """The error's type and message on one line (log lines are one line per mail)."""
    return " ".join(f"{type(error).__name__}: {error}".split())


def raw_msgid(raw: bytes) -> str:
    """The Message-Id of a mail the parser could not read, for the log."""
    header_block = raw.split(b"\n\n", 1)[0].replace(b"\r\n", b"\n")
    match = RAW_MSGID.search(header_block)
    return match.group(1).decode("ascii", "replace")[:255] if match else ""
