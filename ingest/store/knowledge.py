"""What a project already knows about the Message-IDs a mail names, in one query.

Duplicate detection, comment targets, series references and the replies waiting for
this mail all come from the same UNION query, so storing a mail costs one round trip
for all of them.
"""

import functools
from dataclasses import dataclass, field

from django.db import connection

from covers.models import Cover, CoverComment
from ingest.message import ParsedMail
from ingest.models import UnattachedMail
from ingest.rows import database, run
from patches.models import Patch, PatchComment
from series.models import Series, SeriesReference

MSGID_LENGTH = 255

PATCH = "patch"
COVER = "cover"
PATCH_COMMENT = "patch-comment"
COVER_COMMENT = "cover-comment"
WAITING = UnattachedMail.Status.WAITING.value
DROPPED = UnattachedMail.Status.DROPPED.value
REFERENCE = "reference"
CHILD = "child"


@dataclass(frozen=True)
class KnownMail:
    """A stored mail with a given Message-ID.

    ``target_id`` is the patch (for patches and their comments), the cover letter (for
    covers and their comments) or the unattached row; ``series_id`` is the series of
    that patch or cover letter, if any.
    """

    kind: str
    row_id: int
    target_id: int
    series_id: int | None
    number: int | None = None  # a patch's number in its series


@dataclass
class ThreadKnowledge:
    mails: dict[str, list[KnownMail]] = field(default_factory=dict)
    # SeriesReference rows: Message-ID -> series id.
    references: dict[str, int] = field(default_factory=dict)
    # Waiting replies whose parent is the mail being stored.
    waiting_children: list[int] = field(default_factory=list)

    def knows(self, msgid: str) -> bool:
        return msgid in self.mails

    def kinds(self, msgid: str) -> set[str]:
        return {known.kind for known in self.mails.get(msgid, [])}

    def is_stored_submission(self, msgid: str) -> bool:
        """A patch or cover letter with this Message-ID is stored."""
        return bool(self.kinds(msgid) & {PATCH, COVER})

    def first(self, msgid: str, kind: str) -> KnownMail | None:
        """The latest stored mail of that kind (Patchwork prefers the last one)."""
        matches = [known for known in self.mails.get(msgid, []) if known.kind == kind]
        return max(matches, key=lambda known: known.row_id) if matches else None


def thread_references(parsed: ParsedMail) -> list[str]:
    """Referenced Message-IDs, closest first: In-Reply-To, then References newest first."""
    ordered: list[str] = []
    candidates = [parsed.in_reply_to] if parsed.in_reply_to else []
    candidates.extend(reversed(parsed.references))
    for msgid in candidates:
        msgid = (msgid or "").strip()[:MSGID_LENGTH]
        if msgid and msgid not in ordered and msgid != parsed.msgid[:MSGID_LENGTH]:
            ordered.append(msgid)
    return ordered


def load_thread_knowledge(project_id: int, msgid: str, references: list[str]) -> ThreadKnowledge:
    msgids = [msgid, *references]
    params: list[object] = []
    for _ in range(6):
        params.append(project_id)
        params.extend(msgids)
    params.extend([project_id, msgid])
    knowledge = ThreadKnowledge()
    for kind, row_msgid, row_id, target_id, series_id, number in run(
        _knowledge_sql(database().vendor, len(msgids)), params
    ).fetchall():
        if kind == REFERENCE:
            knowledge.references[row_msgid] = target_id
        elif kind == CHILD:
            knowledge.waiting_children.append(row_id)
        else:
            known = KnownMail(kind, row_id, target_id, series_id, number)
            knowledge.mails.setdefault(row_msgid, []).append(known)
    knowledge.waiting_children.sort()
    return knowledge


@functools.cache
def _knowledge_sql(vendor: str, count: int) -> str:
    """The query for ``count`` Message-IDs (built once per count and database)."""
    marks = ", ".join(["%s"] * count)
    table = _tables()
    return f"""
        SELECT '{PATCH}', msgid, id, id, series_id, number FROM {table.patch}
            WHERE project_id = %s AND msgid IN ({marks})
        UNION ALL
        SELECT '{COVER}', c.msgid, c.id, c.id, s.id, NULL FROM {table.cover} c
            LEFT JOIN {table.series} s ON s.cover_letter_id = c.id
            WHERE c.project_id = %s AND c.msgid IN ({marks})
        UNION ALL
        SELECT '{PATCH_COMMENT}', pc.msgid, pc.id, pc.patch_id, p.series_id, NULL
            FROM {table.patch_comment} pc
            JOIN {table.patch} p ON p.id = pc.patch_id
            WHERE p.project_id = %s AND pc.msgid IN ({marks})
        UNION ALL
        SELECT '{COVER_COMMENT}', cc.msgid, cc.id, cc.cover_id, s.id, NULL
            FROM {table.cover_comment} cc
            JOIN {table.cover} c ON c.id = cc.cover_id
            LEFT JOIN {table.series} s ON s.cover_letter_id = c.id
            WHERE c.project_id = %s AND cc.msgid IN ({marks})
        UNION ALL
        SELECT status, msgid, id, id, NULL, NULL FROM {table.unattached}
            WHERE project_id = %s AND msgid IN ({marks})
        UNION ALL
        SELECT '{REFERENCE}', msgid, id, series_id, NULL, NULL FROM {table.reference}
            WHERE project_id = %s AND msgid IN ({marks})
        UNION ALL
        SELECT '{CHILD}', msgid, id, id, NULL, NULL FROM {table.unattached}
            WHERE project_id = %s AND parent_msgid = %s AND status = '{WAITING}'
    """


@dataclass(frozen=True)
class _Tables:
    patch: str
    cover: str
    series: str
    patch_comment: str
    cover_comment: str
    unattached: str
    reference: str


def _tables() -> _Tables:
    quote = connection.ops.quote_name
    return _Tables(
        patch=quote(Patch._meta.db_table),
        cover=quote(Cover._meta.db_table),
        series=quote(Series._meta.db_table),
        patch_comment=quote(PatchComment._meta.db_table),
        cover_comment=quote(CoverComment._meta.db_table),
        unattached=quote(UnattachedMail._meta.db_table),
        reference=quote(SeriesReference._meta.db_table),
    )
