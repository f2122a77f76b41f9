"""Following a public-inbox archive: every new message, in commit order, through the
store step ``parsemail`` uses, the epoch's marker advancing in the same transaction.

Each message is stored and its commit recorded as the epoch's ``last_commit`` in one
transaction, so a run interrupted at any point (killed, the database gone) resumes
after the last message committed: none is skipped and none is stored twice. Message-ID
deduplication is the second guard: a message met again (an archive whose history was
rewritten, by public-inbox-purge, is read again from its start) is a "duplicate".
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inboxes import archive
from inboxes.models import InboxEpoch
from ingest.delivery import settle_stale_replies
from ingest.services import MailReport, Status, ingest_mail
from ingest.store import IngestContext

logger = logging.getLogger("patchwork.ingest")


@dataclass
class FollowSummary:
    messages: int = 0
    removals: int = 0  # commits without a message (``d``: removed from the archive)
    kinds: Counter = field(default_factory=Counter)
    errors: int = 0
    epochs: dict[int, str] = field(default_factory=dict)

    def as_text(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.kinds.items()))
        epochs = ", ".join(f"{n}@{commit[:12]}" for n, commit in sorted(self.epochs.items()))
        return (
            f"messages: {self.messages} ({kinds or 'none'}), removals skipped: "
            f"{self.removals}, quarantined: {self.errors}\nepochs: {epochs or 'none'}\n"
        )


def source_key(source: str) -> str:
    return source.rstrip("/") if archive.is_url(source) else str(Path(source).resolve())


def epochs_of(source: str) -> list[tuple[int, Path]]:
    if archive.is_url(source):
        return archive.mirror_epochs(source, Path(settings.DATA_DIR) / "inboxes")
    return archive.local_epochs(Path(source))


def follow(
    source: str,
    *,
    list_id: str | None = None,
    limit: int | None = None,
    on_report: Callable[[MailReport], None] | None = None,
) -> FollowSummary:
    """Ingest what is new in ``source`` (a v2 inbox directory or URL); at most ``limit``
    messages when given."""
    key = source_key(source)
    summary = FollowSummary()
    context = IngestContext()
    for number, repo in epochs_of(source):
        marker, _ = InboxEpoch.objects.get_or_create(source=key, epoch=number)
        last = marker.last_commit or None
        if last and not archive.has_commit(repo, last):
            logger.warning(
                "follow-inbox: %s epoch %d: commit %s is gone (history rewritten);"
                " reading the epoch again (stored messages are duplicates)",
                key, number, last,
            )  # fmt: skip
            last = None
        commits = archive.commits_after(repo, last)
        if limit is not None:
            commits = commits[: max(limit - summary.messages - summary.removals, 0)]
        for commit, raw in archive.messages(repo, commits):
            report = _store(marker, commit, raw, list_id, context)
            _count(summary, report, raw)
            if report is not None and on_report is not None:
                on_report(report)
        marker.refresh_from_db()
        summary.epochs[number] = marker.last_commit
    settle_stale_replies()
    return summary


def _store(
    marker: InboxEpoch, commit: str, raw: bytes | None, list_id: str | None, context
) -> MailReport | None:
    """Store one message and move the epoch's marker to its commit, together."""
    try:
        with transaction.atomic():
            report = ingest_mail(raw, list_id=list_id, context=context) if raw else None
            InboxEpoch.objects.filter(pk=marker.pk).update(
                last_commit=commit,
                messages=F("messages") + (1 if raw else 0),
                updated=timezone.now(),
            )
    except Exception:
        context.clear()
        raise
    return report


def _count(summary: FollowSummary, report: MailReport | None, raw: bytes | None) -> None:
    if raw is None:
        summary.removals += 1
        return
    summary.messages += 1
    summary.kinds[report.kind] += 1
    if report.status == Status.FAILED:
        summary.errors += 1
