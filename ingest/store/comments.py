"""Replies: comments on patches and cover letters, and replies waiting for their parent.

Patchwork attaches a reply to the first patch found among its references (the patch
itself, or a comment on it), else to the first cover letter found likewise, and drops
it when there is none. Mail does not always arrive in thread order (several MTA
deliveries at once, a shuffled archive), so a reply whose direct parent is not stored
yet waits in UnattachedMail and is settled when the parent arrives: it becomes the
comment it would have been had it arrived last. ``flush_waiting`` settles replies whose
parent never came (Patchwork's rules then apply to what is known).
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction

from covers.models import CoverComment
from events.models import Event
from ingest import rows
from ingest.models import UnattachedMail
from ingest.store.context import IngestContext
from ingest.store.events import EventLog
from ingest.store.incoming import Incoming
from ingest.store.knowledge import (
    COVER,
    COVER_COMMENT,
    PATCH,
    PATCH_COMMENT,
    WAITING,
    ThreadKnowledge,
    load_thread_knowledge,
)
from ingest.store.locking import lock_project, with_retries
from ingest.store.people import get_or_create_person
from ingest.store.result import Outcome, Settled
from ingest.store.tags import add_tag_counts, count_tags
from patches.models import Patch, PatchComment
from projects.models import Project
from series.models import Series

logger = logging.getLogger("patchwork.ingest")

NOT_IN_A_THREAD = "no reference to a known patch or cover letter"
PARENT_MISSING = "parent never arrived; no known patch or cover letter referenced"


@dataclass(frozen=True)
class Reply:
    """What a comment is made of, from a parsed mail or from a waiting row."""

    msgid: str
    references: list[str]
    date: datetime.datetime
    subject: str
    sender_name: str | None
    sender_email: str
    headers: str
    content: str
    addressed: bool | None

    @classmethod
    def from_incoming(cls, incoming: Incoming) -> "Reply":
        parsed = incoming.parsed
        name, email = incoming.sender()
        return cls(
            msgid=incoming.msgid,
            references=incoming.references,
            date=parsed.date,
            subject=parsed.subject,
            sender_name=name,
            sender_email=email,
            headers=parsed.headers,
            content=comment_content(parsed.content, parsed.diff),
            # Patchwork: X-Patchwork-Action-Required marks the comment as unaddressed.
            addressed=False if parsed.action_required else None,
        )

    @classmethod
    def from_waiting(cls, row: UnattachedMail) -> "Reply":
        return cls(
            msgid=row.msgid,
            references=row.reference_list,
            date=row.date,
            subject=row.subject,
            sender_name=row.sender_name or None,
            sender_email=row.sender_email,
            headers=row.headers,
            content=row.content,
            addressed=row.addressed,
        )


@dataclass(frozen=True)
class Target:
    kind: str  # PATCH or COVER
    target_id: int
    series_id: int | None


def comment_content(content: str | None, diff: str | None) -> str:
    """A reply's text; a diff quoted or proposed in a reply stays part of the comment."""
    text = content or ""
    if diff and diff not in text:
        text = f"{text}\n{diff}" if text else diff
    return text


def reply_target(references: list[str], knowledge: ThreadKnowledge) -> Target | None:
    """Patchwork's choice: the first patch found among the references, else the first
    cover letter, where a comment stands for what it comments on."""
    for msgid in references:
        known = knowledge.first(msgid, PATCH) or knowledge.first(msgid, PATCH_COMMENT)
        if known:
            return Target(PATCH, known.target_id, known.series_id)
    for msgid in references:
        known = knowledge.first(msgid, COVER) or knowledge.first(msgid, COVER_COMMENT)
        if known:
            return Target(COVER, known.target_id, known.series_id)
    return None


def parent_pending(references: list[str], knowledge: ThreadKnowledge) -> bool:
    """The direct parent has not been stored yet, or is itself waiting."""
    kinds = knowledge.kinds(references[0])
    return not kinds or kinds == {WAITING}


def store_reply(incoming: Incoming) -> tuple[Outcome, PatchComment | CoverComment | None, str]:
    reply = Reply.from_incoming(incoming)
    project = incoming.project
    if not reply.references:
        record_unattached(project, reply, UnattachedMail.Status.DROPPED, NOT_IN_A_THREAD)
        return Outcome.DROPPED, None, NOT_IN_A_THREAD
    if parent_pending(reply.references, incoming.knowledge):
        reason = f"waiting for its parent {reply.references[0]}"
        record_unattached(project, reply, UnattachedMail.Status.WAITING, reason)
        return Outcome.WAITING, None, reason
    target = reply_target(reply.references, incoming.knowledge)
    if target is None:
        record_unattached(project, reply, UnattachedMail.Status.DROPPED, NOT_IN_A_THREAD)
        return Outcome.DROPPED, None, NOT_IN_A_THREAD
    comment = create_comment(project, target, reply, incoming.context, incoming.events)
    return Outcome.COMMENT, comment, ""


def create_comment(
    project: Project, target: Target, reply: Reply, context: IngestContext, events: EventLog
) -> PatchComment | CoverComment:
    """The comment, with what it changes: dates bumped, tags counted, its event."""
    submitter = get_or_create_person(context, reply.sender_name, reply.sender_email)
    fields = {
        "msgid": reply.msgid,
        "date": reply.date,
        "submitter_id": submitter.id,
        "headers": reply.headers,
        "content": reply.content,
        "addressed": reply.addressed,
    }
    # The updated_since filters of the API rely on these dates moving.
    if target.series_id is not None:
        events.touch(Series, target.series_id)
    if target.kind == PATCH:
        comment = rows.insert_new(PatchComment, {"patch_id": target.target_id, **fields})
        events.touch(Patch, target.target_id)
        add_tag_counts(target.target_id, count_tags(context.tags(project), reply.content))
        events.add(
            Event.Category.PATCH_COMMENT_CREATED,
            patch_id=target.target_id,
            patch_comment_id=comment.id,
        )
        return comment
    comment = rows.insert_new(CoverComment, {"cover_id": target.target_id, **fields})
    events.add(
        Event.Category.COVER_COMMENT_CREATED,
        cover_id=target.target_id,
        cover_comment_id=comment.id,
    )
    return comment


def record_unattached(
    project: Project, reply: Reply, status: UnattachedMail.Status, reason: str
) -> UnattachedMail:
    """Keep a reply that is no comment: in full while it waits, in brief once dropped."""
    waiting = status == UnattachedMail.Status.WAITING
    return UnattachedMail.objects.create(
        project=project,
        msgid=reply.msgid,
        parent_msgid=reply.references[0] if reply.references else "",
        references="\n".join(reply.references),
        status=status,
        reason=reason[:255],
        date=reply.date,
        subject=reply.subject,
        sender_name=(reply.sender_name or "")[:255],
        sender_email=reply.sender_email[:255],
        headers=reply.headers if waiting else "",
        content=reply.content if waiting else "",
        addressed=reply.addressed,
    )


def settle_children(
    project: Project, child_ids: list[int], context: IngestContext, events: EventLog
) -> list[Settled]:
    """Settle the replies that waited for a mail just stored, and theirs in turn."""
    settled: list[Settled] = []
    queue = list(child_ids)
    while queue:
        row = UnattachedMail.objects.filter(pk=queue.pop(0), status=WAITING).first()
        if row is None:
            continue
        outcome = _settle(project, row, context, events, give_up=False)
        if outcome is None:
            continue
        settled.append(outcome)
        queue.extend(_waiting_children(project.id, row.msgid))
    return settled


def _settle(
    project: Project,
    row: UnattachedMail,
    context: IngestContext,
    events: EventLog,
    *,
    give_up: bool,
) -> Settled | None:
    reply = Reply.from_waiting(row)
    knowledge = load_thread_knowledge(project.id, row.msgid, reply.references)
    if not give_up and parent_pending(reply.references, knowledge):
        return None
    target = reply_target(reply.references, knowledge)
    if target is None:
        row.status = UnattachedMail.Status.DROPPED
        row.reason = PARENT_MISSING if give_up else NOT_IN_A_THREAD
        row.headers = row.content = ""
        row.save(update_fields=["status", "reason", "headers", "content"])
        return Settled(row.msgid, Outcome.DROPPED)
    row.delete()
    comment = create_comment(project, target, reply, context, events)
    return Settled(reply.msgid, Outcome.COMMENT, comment)


def _waiting_children(project_id: int, msgid: str) -> list[int]:
    return list(
        UnattachedMail.objects.filter(
            project_id=project_id, parent_msgid=msgid, status=WAITING
        ).values_list("id", flat=True)
    )


def flush_waiting(
    *,
    projects: list[Project] | None = None,
    received_before: datetime.datetime | None = None,
    context: IngestContext | None = None,
) -> list[Settled]:
    """Give up waiting: settle waiting replies with what is known now, oldest first.

    ``parsearchive`` calls it at the end of a run (a serial import then equals
    Patchwork's); ``parsemail`` for replies that waited longer than
    ``INGEST_WAIT_SECONDS``. Each reply is settled in its own transaction.
    """
    context = context or IngestContext()
    rows = UnattachedMail.objects.filter(status=WAITING).select_related("project")
    if projects is not None:
        rows = rows.filter(project__in=projects)
    if received_before is not None:
        rows = rows.filter(received__lt=received_before)
    settled: list[Settled] = []
    for row_id in list(rows.order_by("date", "id").values_list("id", flat=True)):
        settled.extend(
            with_retries(lambda row_id=row_id: _give_up(row_id, context), on_retry=context.clear)
        )
    return settled


def _give_up(row_id: int, context: IngestContext) -> list[Settled]:
    project_id = (
        UnattachedMail.objects.filter(pk=row_id).values_list("project_id", flat=True).first()
    )
    if project_id is None:
        return []
    with transaction.atomic():
        lock_project(project_id)
        row = (
            UnattachedMail.objects.select_related("project")
            .filter(pk=row_id, status=WAITING)
            .first()
        )
        if row is None:
            return []  # another process settled it meanwhile
        events = EventLog(project_id)
        outcome = _settle(row.project, row, context, events, give_up=True)
        settled = [outcome] if outcome else []
        children = _waiting_children(project_id, row.msgid)
        settled.extend(settle_children(row.project, children, context, events))
        events.write()
        return settled
