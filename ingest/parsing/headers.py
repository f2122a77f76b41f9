"""Header decoding as Patchwork does it: one-line values, the stored header block, ids, dates.

Patchwork decodes a header with ``email.header.decode_header`` and rebuilds it with
``make_header``; a header that cannot be rebuilt (broken encoded words, wrong folding) counts
as absent.  Two deliberate differences, both about text Patchwork turns into U+FFFD:
unencoded 8-bit text (raw UTF-8 in a Subject or From) is decoded as UTF-8 (Windows-1252 when
it is not valid UTF-8), and an encoded word whose bytes are invalid in its declared charset is
decoded with replacement characters for the bad bytes only.  The stored header block keeps
Patchwork's exact form (re-encoded, folded), since the API serves it back parsed.
"""

import datetime
import re
import zoneinfo
from collections.abc import Iterable
from email.errors import HeaderParseError
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import mktime_tz, parsedate_tz

from django.conf import settings

from patchwork_api.limits import MAIL_MAX_HEADER_BYTES, MAIL_MAX_HEADERS, MAIL_MAX_REFERENCES

DB_CHARFIELD_LENGTH = 255
# Patchwork looks for the mailing list in these headers, in this order.
LIST_ID_HEADERS = ("List-Id", "X-Mailing-List", "X-list")
UNKNOWN_8BIT = "unknown-8bit"
# The longest header line Header.encode() leaves unfolded (email.header's MAXLINELEN).
UNFOLDED_LINE_LENGTH = 76

_whitespace_run = re.compile(r"\s+")
_bracketed_list_id = re.compile(r".*<([^>]+)>.*", re.S)
_bare_list_id = re.compile(r"^(\S+)$", re.S)
_bracketed_msgid = re.compile(r"<[^<>]+>")
_list_post_address = re.compile(r"<mailto:([^>?]+)", re.I)


def normalise_space(value: str) -> str:
    """Collapse every whitespace run to one space and trim, as Patchwork does."""
    return _whitespace_run.sub(" ", value).strip()


def without_nul(value: str) -> str:
    """Drop NUL characters, which PostgreSQL text columns reject."""
    return value.replace("\x00", "") if "\x00" in value else value


def _decode_8bit(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("windows-1252", errors="replace")


def _decode_chunk(part: bytes | str, charset: str | None) -> str:
    """One decoded-word chunk as text, never failing."""
    if isinstance(part, str):
        return part
    if charset is None or charset in ("us-ascii", UNKNOWN_8BIT):
        return _decode_8bit(part)
    try:
        return part.decode(charset, errors="replace")
    except (LookupError, ValueError):
        return _decode_8bit(part)


def _readable_chunks(
    chunks: Iterable[tuple[bytes | str, str | None]],
) -> list[tuple[str, str | None]]:
    """Chunks ``make_header`` accepts without loss: 8-bit and broken parts become UTF-8 text."""
    readable: list[tuple[str, str | None]] = []
    for part, charset in chunks:
        text = _decode_chunk(part, charset)
        if charset in (None, "us-ascii") and text.isascii():
            readable.append((text, charset))
        else:
            readable.append((text, "utf-8"))
    return readable


def decode_value(value: str | Header | None) -> str | None:
    """A header as one line of text (Patchwork's ``clean_header``), None when unusable."""
    if value is None:
        return None
    if isinstance(value, str) and "=?" not in value and value.isascii():
        return without_nul(normalise_space(value))
    try:
        header = make_header(_readable_chunks(decode_header(value)), continuation_ws="\t")
        header.encode()
    except (HeaderParseError, IndexError, UnicodeError, LookupError, ValueError):
        return None
    return without_nul(normalise_space(str(header)))


def _patchwork_encoding(value: str | Header, name: str) -> str | None:
    """Patchwork's ``sanitise_header(...).encode()``: the header rebuilt and re-encoded.

    8-bit parts that make_header rejects are marked unknown-8bit; None when even that
    cannot be encoded.
    """
    try:
        chunks = decode_header(value)
    except HeaderParseError:
        return None
    try:
        header = make_header(chunks, header_name=name, continuation_ws="\t")
    except (UnicodeError, LookupError, ValueError):
        unknown_8bit = [(part, UNKNOWN_8BIT) for part, _ in chunks]
        try:
            header = make_header(unknown_8bit, header_name=name, continuation_ws="\t")
        except (UnicodeError, LookupError, ValueError):
            return None
    try:
        return header.encode()
    except (HeaderParseError, IndexError, UnicodeError, LookupError, ValueError):
        return None


def _encoded_header(name: str, value: str | Header) -> str | None:
    if (
        isinstance(value, str)
        and value.isascii()
        and "=?" not in value
        and "\n" not in value
        and "\r" not in value
        and len(name) + 2 + len(value) <= UNFOLDED_LINE_LENGTH
    ):
        # What Header.encode() gives back for a short, plain, unfolded value.
        return value
    return _patchwork_encoding(value, name)


def header_block(mail: Message) -> str:
    """Every header as ``Name: value`` lines, re-encoded and folded as Patchwork stores them.

    Headers Patchwork cannot rebuild are left out, like Patchwork does, and so are the
    headers after the first ``MAIL_MAX_HEADERS`` and those longer than
    ``MAIL_MAX_HEADER_BYTES``.
    """
    lines = []
    for name, value in mail.items()[:MAIL_MAX_HEADERS]:
        if len(str(value)) > MAIL_MAX_HEADER_BYTES:
            continue
        encoded = _encoded_header(name, value)
        if encoded is not None:
            lines.append(f"{name}: {encoded}")
    return without_nul("\n".join(lines))


def find_msgid(mail: Message) -> str | None:
    """The Message-Id as Patchwork stores it (decoded, cut to the 255-character column)."""
    msgid = decode_value(mail.get("Message-Id"))
    if not msgid:
        return None
    return msgid[:DB_CHARFIELD_LENGTH]


def extract_list_id(value: str) -> str | None:
    """The id part of a List-Id-style value: inside ``<...>``, or the value if it is one word."""
    match = _bracketed_list_id.match(value) or _bare_list_id.match(value)
    return match.group(1) if match else None


def find_list_ids(mail: Message) -> list[str]:
    """List ids from List-Id, X-Mailing-List and X-list, in the order Patchwork tries them."""
    list_ids = []
    for name in LIST_ID_HEADERS:
        value = decode_value(mail.get(name))
        list_id = extract_list_id(value) if value else None
        if list_id and list_id not in list_ids:
            list_ids.append(list_id)
    return list_ids


def find_list_address(mail: Message) -> str | None:
    """The list's posting address from List-Post (``<mailto:list@host>``), if any."""
    value = decode_value(mail.get("List-Post"))
    match = _list_post_address.search(value) if value else None
    return match.group(1).strip() if match else None


def _first_msgid(value: str) -> str:
    """The ``<...>`` token of an In-Reply-To value; mailers may append a comment after it."""
    match = _bracketed_msgid.search(value)
    return match.group(0) if match else value


def find_references(mail: Message) -> tuple[str | None, list[str]]:
    """In-Reply-To and the thread's Message-Ids, oldest first and In-Reply-To last.

    Patchwork searches In-Reply-To first, then References from the newest; this is that
    list reversed, without duplicates, each id cut to the 255-character column. Of a
    longer list than ``MAIL_MAX_REFERENCES``, the nearest ids and the thread's first one
    are kept.
    """
    nearest_first: list[str] = []
    for value in mail.get_all("In-Reply-To") or []:
        decoded = decode_value(value)
        if decoded:
            nearest_first.append(_first_msgid(decoded)[:DB_CHARFIELD_LENGTH])
    in_reply_to = nearest_first[0] if nearest_first else None
    for value in mail.get_all("References") or []:
        decoded = decode_value(value)
        if not decoded:
            continue
        for reference in reversed(decoded.split()):
            nearest_first.append(reference[:DB_CHARFIELD_LENGTH])
    unique = list(dict.fromkeys(nearest_first))
    if len(unique) > MAIL_MAX_REFERENCES:
        unique = [*unique[: MAIL_MAX_REFERENCES - 1], unique[-1]]
    return in_reply_to, list(reversed(unique))


def server_now() -> datetime.datetime:
    """The current time as a naive datetime in the server's time zone."""
    return datetime.datetime.now(_server_zone()).replace(tzinfo=None)


def _server_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def find_date(mail: Message) -> datetime.datetime:
    """The Date header as naive UTC, whatever the server's time zone (as Patchwork, whose
    mail dates are UTC while the times it makes itself are in its ``TIME_ZONE``); the
    server's time now when the header is missing, broken or out of range.

    A date without a zone is taken as UTC.
    """
    value = decode_value(mail.get("Date"))
    try:
        parsed = parsedate_tz(value) if value else None
    except (IndexError, ValueError, TypeError):
        parsed = None
    if not parsed:
        return server_now()
    try:
        if parsed[9] is None:
            parsed = (*parsed[:9], 0)
        timestamp = mktime_tz(parsed)
        return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).replace(tzinfo=None)
    except (OverflowError, ValueError, OSError):
        return server_now()


def find_header(mail: Message, name: str) -> str | None:
    """A decoded one-line header value, None when absent or empty."""
    return decode_value(mail.get(name)) or None
