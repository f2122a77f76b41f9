"""What the pure mail parser hands to the store step: a ParsedMail and its parts.

The parser (``ingest.parser.parse_mail``) builds these from raw bytes without touching the
database; the store step (``ingest.store.store_mail``) decides, with the database, what
the mail becomes (patch, cover letter, comment, or nothing) and writes it in one
transaction.
"""

import datetime
from dataclasses import dataclass, field


class MailParseError(ValueError):
    """The mail cannot be parsed at all (no Message-Id, not a mail); it is dropped."""


@dataclass(frozen=True)
class Author:
    """The original sender: name may be empty; email is never empty."""

    name: str | None
    email: str


@dataclass(frozen=True)
class SubjectInfo:
    """What the subject says: the name Patchwork stores and the bracketed prefixes."""

    name: str  # subject without Re:/Fwd:, prefixes kept in brackets as Patchwork keeps them
    prefixes: tuple[str, ...]  # e.g. ("PATCH", "v2", "3/7")
    is_reply: bool  # subject starts with Re:/Fwd:-style marker
    series_number: int | None  # k of k/N
    series_total: int | None  # N of k/N
    version: int  # vN, 1 when absent


@dataclass
class ParsedMail:
    msgid: str  # with angle brackets, as Patchwork stores it
    list_id: str | None  # List-Id value without the name part, e.g. "dev.example.org"
    subject: str  # the decoded Subject header (what comments store as ``subject``)
    subject_info: SubjectInfo
    author: Author
    date: datetime.datetime  # naive, server time
    headers: str  # the header block as stored and served by the API
    content: str | None  # message text without the diff (commit message / comment body)
    diff: str | None  # the patch, normalised as Patchwork stores it
    pull_url: str | None  # "url branch" of a git request-pull mail
    hash: str | None  # Patchwork's diff hash (40 hex characters) when diff is set
    in_reply_to: str | None  # first Message-ID of In-Reply-To
    references: list[str] = field(default_factory=list)  # oldest first, In-Reply-To last
    # Headers that steer ingest.
    hint: str | None = None  # X-Patchwork-Hint, lowercased ("ignore")
    state: str | None = None  # X-Patchwork-State (a state name or slug)
    delegate: str | None = None  # X-Patchwork-Delegate (an e-mail address or username)
    action_required: bool = False  # X-Patchwork-Action-Required present
    depends_on: list[str] = field(default_factory=list)  # Depends-on: msgids or series URLs
    files: list[str] = field(default_factory=list)  # paths the diff touches (delegation)
    trailers: list[str] = field(default_factory=list)  # review trailers found in content

    @property
    def has_patch(self) -> bool:
        return bool(self.diff) or bool(self.pull_url)
