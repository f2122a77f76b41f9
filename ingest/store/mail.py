"""store_mail: one parsed mail into the database, in one transaction."""

import logging

from django.db import transaction

from ingest.message import ParsedMail
from ingest.models import UnattachedMail
from ingest.store.batch import StoreBatch
from ingest.store.comments import Reply, record_unattached, settle_children, store_reply
from ingest.store.context import IngestContext
from ingest.store.covers import is_cover_letter, store_cover
from ingest.store.events import EventLog
from ingest.store.incoming import Incoming
from ingest.store.knowledge import (
    DROPPED,
    MSGID_LENGTH,
    ThreadKnowledge,
    load_thread_knowledge,
    thread_references,
)
from ingest.store.locking import lock_project, with_retries
from ingest.store.patches import store_patch
from ingest.store.result import Outcome, StoreResult
from projects.models import Project

logger = logging.getLogger("patchwork.ingest")

HINT_IGNORE = "X-Patchwork-Hint: ignore"
NO_CONTENT = "no content"


def store_mail(
    parsed: ParsedMail,
    *,
    project: Project | None = None,
    context: IngestContext | None = None,
    batch: StoreBatch | None = None,
) -> StoreResult:
    """Store a parsed mail as a patch, cover letter or comment, as Patchwork would.

    The project is ``project`` when given, else the one whose list-id (and subject
    match) fits the mail. Everything the mail causes (its object, series, tags, events,
    replies it settles) is written in one transaction, retried when a concurrent
    process won a race. Database errors other than lost races propagate.

    With a ``batch``, the mail is stored in the transaction the caller opened for the
    batch, without retries: any error propagates and the caller rolls the batch back.
    """
    context = context or IngestContext()
    if project is None:
        project = context.find_project(parsed.list_ids or [parsed.list_id], parsed.subject)
    if project is None:
        return StoreResult(Outcome.DROPPED, reason=f"no project for list-id {parsed.list_id!r}")
    if batch is not None:
        return _store_in_project(parsed, project, context, batch)
    return with_retries(
        lambda: _store_in_project(parsed, project, context), on_retry=context.clear
    )


def _store_in_project(
    parsed: ParsedMail,
    project: Project,
    context: IngestContext,
    batch: StoreBatch | None = None,
) -> StoreResult:
    msgid = parsed.msgid.strip()[:MSGID_LENGTH]
    references = thread_references(parsed)
    with transaction.atomic(savepoint=batch is None):
        if batch is None:
            lock_project(project.id)
        else:
            batch.lock_project(project.id)
        knowledge = load_thread_knowledge(project.id, msgid, references)
        if knowledge.knows(msgid) and not _forget_if_dropped(project, msgid, knowledge):
            return StoreResult(
                Outcome.DUPLICATE, reason="Message-ID already stored", project=project
            )
        incoming = Incoming(
            parsed=parsed,
            project=project,
            msgid=msgid,
            references=references,
            name=parsed.subject_info.name_for_project(project.linkname),
            context=context,
            knowledge=knowledge,
            events=EventLog(project.id, batch=batch),
        )
        result = _classify_and_store(incoming)
        result.project = project
        if result.kind != Outcome.WAITING:
            result.settled = settle_children(
                project, knowledge.waiting_children, context, incoming.events
            )
        incoming.events.write()
        return result


def _forget_if_dropped(project: Project, msgid: str, knowledge: ThreadKnowledge) -> bool:
    """Whether a known Message-ID belongs to a dropped mail only, now forgotten.

    Patchwork stores nothing for a mail it drops, so the same mail delivered again (its
    parent stored since, its project created) is ingested anew rather than counted as a
    duplicate; the dropped record goes, and is written again if the mail is dropped again.
    """
    if knowledge.kinds(msgid) != {DROPPED}:
        return False
    UnattachedMail.objects.filter(project=project, msgid=msgid, status=DROPPED).delete()
    del knowledge.mails[msgid]
    return True


def _classify_and_store(incoming: Incoming) -> StoreResult:
    parsed = incoming.parsed
    if parsed.hint == "ignore":
        _record_dropped(incoming, HINT_IGNORE)
        return StoreResult(Outcome.IGNORED, reason=HINT_IGNORE)
    if not parsed.diff and not (parsed.content or "").strip():
        _record_dropped(incoming, NO_CONTENT)
        return StoreResult(Outcome.DROPPED, reason=NO_CONTENT)
    if parsed.has_patch and not parsed.subject_info.is_reply:
        return StoreResult(Outcome.PATCH, store_patch(incoming))
    if is_cover_letter(incoming):
        return StoreResult(Outcome.COVER, store_cover(incoming))
    kind, comment, reason = store_reply(incoming)
    return StoreResult(kind, comment, reason)


def _record_dropped(incoming: Incoming, reason: str) -> None:
    """Remember the Message-ID so that replies to this mail are settled at once."""
    record_unattached(
        incoming.project, Reply.from_incoming(incoming), UnattachedMail.Status.DROPPED, reason
    )
