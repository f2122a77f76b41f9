"""The message body: text parts, their charsets, the comment/diff split and what the text says.

Patchwork's ``find_patch_content``/``find_comment_content``: every ``text/*`` part of the
MIME tree is decoded; a ``text/x-patch`` or ``text/x-diff`` part is the diff as it is; each
``text/plain`` part is split into comment and diff until a diff is found (later plain parts
are comment); other text parts (HTML) are ignored.  For replies the whole plain text is the
comment.  The comment is cut at a signature (``-- ``) or list footer (``____``) line.

Charsets: the declared one when Python knows it, else UTF-8, Windows-1252, ISO-8859-1.
Unlike Patchwork, which drops a part that is invalid in its declared charset (and so the
whole mail when nothing else is left), such a part falls back to UTF-8, Windows-1252 and
ISO-8859-1, so the mail is still stored.
"""

import codecs
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

from patchwork_api.limits import MAIL_MAX_DEPENDS_ON, MAIL_MAX_MIME_DEPTH

from .diff import split_patch
from .headers import without_nul

PATCH_SUBTYPES = ("x-patch", "x-diff")
FALLBACK_CHARSETS = ("utf-8", "windows-1252", "iso-8859-1")

_signature_or_footer = re.compile(r"^(-- |_+)\n.*", re.S | re.M)
# The trailers Patchwork appends from replies to a patch's mbox (its ``patch_responses``).
_review_trailer = re.compile(
    r"^(Tested|Reviewed|Acked|Signed-off|Nacked|Reported)-by:.*$", re.M | re.I
)
# "Depends-on: <msgid>", "Depends-on: <patch or series URL>", DPDK's
# "Depends-on: series-123 ("title")": the first word is the reference.
_depends_on = re.compile(r"^Depends-on:[ \t]*(\S+)", re.M)


@dataclass
class Body:
    """The parts of a message text Patchwork stores."""

    content: str  # comment text, may be empty
    diff: str | None


def _charsets_to_try(part: Message) -> tuple[str, ...]:
    declared = part.get_content_charset()
    if declared:
        try:
            codecs.lookup(declared)
        except (LookupError, ValueError, TypeError):
            declared = None
    if declared:
        return (declared, *FALLBACK_CHARSETS)
    return FALLBACK_CHARSETS


def _decoded_payload(part: Message) -> str | None:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, LookupError, TypeError, AssertionError):
        return None
    if payload is None:
        return None
    if isinstance(payload, str):
        return payload
    for charset in _charsets_to_try(part):
        try:
            return payload.decode(charset)
        except (UnicodeError, LookupError, ValueError):
            continue
    return payload.decode("iso-8859-1")


def walk(mail: Message) -> Iterator[Message]:
    """The parts of a MIME tree in order, like ``Message.walk``, without recursion and
    without going deeper than ``MAIL_MAX_MIME_DEPTH`` (the parser already stops there)."""
    pending = [(mail, 0)]
    while pending:
        part, depth = pending.pop()
        yield part
        if part.is_multipart() and depth < MAIL_MAX_MIME_DEPTH:
            children = part.get_payload()
            pending.extend((child, depth + 1) for child in reversed(children))


def text_parts(mail: Message) -> list[tuple[str, str]]:
    """(text, subtype) of every ``text/*`` part, in MIME tree order."""
    parts = []
    for part in walk(mail):
        if part.get_content_maintype() != "text":
            continue
        text = _decoded_payload(part)
        if text is not None:
            parts.append((without_nul(text), part.get_content_subtype()))
    return parts


def clean_content(content: str) -> str:
    """Drop everything from the first signature or list-footer line on, then trim."""
    return _signature_or_footer.sub("", content).strip()


def patch_body(mail: Message) -> Body:
    """Comment and diff of a mail that may carry a patch."""
    diff = None
    comment = []
    for text, subtype in text_parts(mail):
        if subtype in PATCH_SUBTYPES:
            diff = text
        elif subtype == "plain":
            part_comment: str | None = text
            if not diff:
                diff, part_comment = split_patch(text)
            if part_comment is not None:
                comment.append(part_comment.strip() + "\n")
    return Body(content=clean_content("".join(comment)), diff=diff)


def reply_body(mail: Message) -> Body:
    """The text of a reply: its plain parts, never split into a diff."""
    comment = [
        text.strip() + "\n" for text, subtype in text_parts(mail) if text and subtype == "plain"
    ]
    return Body(content=clean_content("".join(comment)), diff=None)


def find_trailers(content: str) -> list[str]:
    """Review and sign-off trailer lines at the start of a line (quoted ones are not)."""
    return [match.group(0) for match in _review_trailer.finditer(content)]


def find_depends_on(content: str) -> list[str]:
    """First words of ``Depends-on:`` lines (Message-Id, URL, ``series-N``), in order.

    The store step resolves them to series (Patchwork 3.2, API 1.4 ``dependencies``);
    only the first ``MAIL_MAX_DEPENDS_ON`` different ones count.
    """
    tokens = dict.fromkeys(match.group(1) for match in _depends_on.finditer(content))
    return list(itertools.islice(tokens, MAIL_MAX_DEPENDS_ON))
