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
    # Bracketed prefixes without "PATCH" (Patchwork drops it, case-insensitively), e.g.
    # "[PATCH v2 3/7]" -> ("v2", "3/7"); the name is "[v2,3/7] title".
    prefixes: tuple[str, ...]
    is_reply: bool  # Patchwork's reply test: the subject starts with "Re:" / "Re "
    series_number: int | None  # k of k/N
    series_total: int | None  # N of k/N
    version: int  # vN, 1 when absent
    title: str = ""  # the subject after the bracketed prefixes

    def name_for_project(self, linkname: str | None) -> str:
        """The name as Patchwork stores it for a project: its linkname prefix is dropped too.

        Patchwork removes a bracketed prefix equal (case-insensitively) to the project's
        linkname, so "[PATCH git-pw v2] x" is named "[v2] x" in project "git-pw".
        """
        if not linkname:
            return self.name
        kept = [prefix for prefix in self.prefixes if prefix.lower() != linkname.lower()]
        name = f"[{','.join(kept)}] {self.title}" if kept else self.title
        return name[:255]


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
    # Added by the parser (extensions of the first contract):
    # every list id found, in the order Patchwork tries them (List-Id, X-Mailing-List,
    # X-list); ``list_id`` is the first one (or the override)
    list_ids: list[str] = field(default_factory=list)
    # the From header as written, before undoing a mailing list's DMARC rewrite
    from_author: Author | None = None
    # who Patchwork takes as the sender when From is the list's own address
    # ("X via List" <list@...>): from X-Original-From, or Reply-To/Cc by name
    unmunged_author: Author | None = None

    @property
    def has_patch(self) -> bool:
        return bool(self.diff) or bool(self.pull_url)

    @property
    def lookup_references(self) -> list[str]:
        """Message-Ids in the order Patchwork searches them: In-Reply-To, then newest first."""
        return list(reversed(self.references))

    def author_for_list(self, list_email: str | None) -> Author:
        """The submitter for a project whose list address is ``list_email``.

        Patchwork undoes a DMARC From rewrite only when the From address is the project's
        list address; otherwise the From header's sender is kept.
        """
        written = self.from_author or self.author
        if list_email and written.email.lower() == list_email.lower() and self.unmunged_author:
            return self.unmunged_author
        if list_email:
            return written
        return self.author
