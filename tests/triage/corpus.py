"""A small generated mailing list of series and their new versions, and the scoring of
automatic supersede against a manifest of which posting is a later version of which."""

import datetime
from dataclasses import dataclass, field
from email.utils import format_datetime

from patches.models import Patch
from tests.factories import SAMPLE_DIFF
from triage.models import Supersession

LIST_ID = "dev.example.org"
START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


@dataclass
class Posting:
    """One posting of a series: its cover letter (when N > 1) and N patches."""

    key: str
    version: int
    title: str
    author: str
    total: int
    in_reply_to: str | None = None
    prev: str | None = None
    msgids: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.key}/v{self.version}"


class MailList:
    """Mails written in order, one minute apart."""

    def __init__(self) -> None:
        self.mails: list[bytes] = []
        self.postings: list[Posting] = []

    def post(self, posting: Posting) -> Posting:
        """A single patch sent In-Reply-To ``in_reply_to``, or a cover letter sent
        In-Reply-To it and N patches replying to the cover letter."""
        prefix = "PATCH" if posting.version == 1 else f"PATCH v{posting.version}"
        if posting.total == 1:
            self._mail(posting, 1, f"[{prefix}] {posting.title}", posting.in_reply_to)
        else:
            title = f"[{prefix} 0/{posting.total}] {posting.title}"
            cover = self._mail(posting, 0, title, posting.in_reply_to)
            for number in range(1, posting.total + 1):
                subject = f"[{prefix} {number}/{posting.total}] {posting.title} part {number}"
                self._mail(posting, number, subject, cover)
        self.postings.append(posting)
        return posting

    def _mail(self, posting: Posting, number: int, subject: str, parent: str | None) -> str:
        index = len(self.mails)
        msgid = f"<{posting.key}.v{posting.version}.{number}.{index}@example.org>"
        date = START + datetime.timedelta(minutes=index)
        lines = [
            f"From: {posting.author}",
            f"Subject: {subject}",
            f"Message-Id: {msgid}",
            f"Date: {format_datetime(date)}",
            f"List-Id: Dev list <{LIST_ID}>",
        ]
        if parent:
            lines += [f"In-Reply-To: {parent}", f"References: {parent}"]
        body = "The cover letter.\n" if number == 0 else f"Change.\n\n---\n{SAMPLE_DIFF}"
        self.mails.append(("\n".join(lines) + "\n\n" + body).encode())
        posting.msgids.append(msgid)
        return msgid


@dataclass
class Score:
    correct: int
    wrong: int
    missed: int
    wrong_pairs: list[tuple[str, str]]
    missed_pairs: list[tuple[str, str]]

    @property
    def precision(self) -> float:
        found = self.correct + self.wrong
        return self.correct / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.correct + self.missed
        return self.correct / expected if expected else 1.0


def superseded_pairs(posting_of_msgid: dict[str, str]) -> set[tuple[str, str]]:
    """(previous posting, new posting) for every patch superseded automatically."""
    pairs = set()
    first_msgid: dict[int, str] = dict(
        Patch.objects.filter(series__isnull=False)
        .order_by("-number")
        .values_list("series_id", "msgid")
    )
    rows = Supersession.objects.values_list("patch__msgid", "superseded_by_id")
    for msgid, series_id in rows:
        old = posting_of_msgid.get(msgid)
        new = posting_of_msgid.get(first_msgid.get(series_id, ""))
        pairs.add((old, new))
    return pairs


def score(found: set[tuple[str, str]], expected: set[tuple[str, str]]) -> Score:
    return Score(
        correct=len(found & expected),
        wrong=len(found - expected),
        missed=len(expected - found),
        wrong_pairs=sorted(found - expected, key=str),
        missed_pairs=sorted(expected - found, key=str),
    )


def group_msgids(postings: dict[str, list[str]]) -> dict[str, str]:
    by_msgid: dict[str, str] = {}
    for posting_id, msgids in postings.items():
        for msgid in msgids:
            by_msgid[msgid] = posting_id
    return by_msgid
