"""Render patches, cover letters, series and bundles as mbox text, the way Patchwork does.

Each message starts with a ``From patchwork <date>`` line, carries Patchwork's
``X-Patchwork-*`` headers and the original mail's headers (RFC 2047-encoded where they
hold non-ASCII text), and a UTF-8 body in which the review trailers collected from the
replies (``Reviewed-by:``, ``Acked-by:`` ...) follow the commit message, before the
``---`` notes and the diff, so that ``git am`` records them.

The renderers read only what is loaded on the objects they are given (plus
``comments.all()``, which hits the prefetch cache when the caller prefetched it, see
``downloads.queries.mbox_patches``), so the views and the XML-RPC API shape their queries
once for a whole series or bundle; only ``series_patch_to_mbox`` queries, for the
patches a patch depends on.
"""

import datetime
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from email.errors import HeaderParseError
from email.header import Header, decode_header, make_header
from email.parser import HeaderParser
from email.utils import format_datetime, formataddr, getaddresses, parseaddr

from django.conf import settings

from covers.models import Cover
from downloads.queries import patch_with_dependencies
from patches.models import Patch

# Patchwork's list of the reply lines that carry review trailers (case-insensitive).
TRAILER_RE = re.compile(
    r"^(?:Tested|Reviewed|Acked|Signed-off|Nacked|Reported)-by:.*$",
    re.MULTILINE | re.IGNORECASE,
)
# The line that separates the commit message from the notes and diffstat ("---"), or
# a signature ("-- "): trailers go before it.
POSTSCRIPT_RE = re.compile(r"^-{2,3} ?$", re.MULTILINE)
# A line of a trailer block ("Token: value"): the last paragraph already is one when
# its last line looks like this, so new trailers join it without a blank line.
TRAILER_LINE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*:\s")
# mboxo escaping: a body line that starts with "From " would start a new message.
FROM_LINE_RE = re.compile(r"^From ", re.MULTILINE)

# Headers that this renderer writes itself and never copies from the original mail.
GENERATED_HEADERS = frozenset(
    {
        "content-type",
        "content-transfer-encoding",
        "mime-version",
        "x-patchwork-submitter",
        "x-patchwork-id",
        "x-patchwork-delegate",
        "x-patchwork-original-from",
    }
)
# Headers whose value is a list of addresses: only their display names are encoded.
ADDRESS_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "resent-from",
        "resent-to",
        "resent-cc",
        "x-patchwork-submitter",
        "x-patchwork-original-from",
    }
)
FILENAME_UNSAFE_RE = re.compile(r"[^-_A-Za-z0-9.]+")
# Encoded words that Python writes for raw 8-bit header text of unknown charset; git
# refuses them ("cannot convert from unknown-8bit"), so they are re-encoded as UTF-8.
UNKNOWN_8BIT_WORD_RE = re.compile(r"=\?unknown-8bit\?", re.IGNORECASE)
# Control characters (tab aside) have no place in a header; git refuses a NUL there.
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class SeriesSelectionError(ValueError):
    """A ``?series=`` value that names no series of the patch; the message says why."""


def clean_text(text: str | None) -> str:
    """Text safe to encode as UTF-8, with Unix line endings (lone surrogates become '?')."""
    if not text:
        return ""
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def filename_slug(text: str) -> str:
    """Patchwork's download file name: runs of unsafe characters become '-'."""
    return FILENAME_UNSAFE_RE.sub("-", text).strip("-")


def find_trailers(text: str | None) -> list[str]:
    """The review trailer lines of a text, in order, without trailing blanks."""
    return [match.group(0).rstrip() for match in TRAILER_RE.finditer(clean_text(text))]


def collect_trailers(comment_texts: Iterable[str | None], *, existing: str | None) -> list[str]:
    """Trailers given in replies that the submission does not already carry, once each."""
    seen = set(find_trailers(existing))
    collected = []
    for text in comment_texts:
        for trailer in find_trailers(text):
            if trailer not in seen:
                seen.add(trailer)
                collected.append(trailer)
    return collected


def _split_postscript(content: str) -> tuple[str, str]:
    """Commit message and what follows its ``---`` line (without the dashes)."""
    text = content.strip()
    parts = POSTSCRIPT_RE.split(text, maxsplit=1)
    if len(parts) == 1:
        return text, ""
    message, postscript = parts
    return message.strip(), postscript.rstrip()


def _append_trailers(message: str, trailers: Sequence[str]) -> str:
    """The commit message with trailers added to its trailer block (or a new one)."""
    if not trailers:
        return message
    last_line = message.rsplit("\n", 1)[-1]
    if not message or TRAILER_LINE_RE.match(last_line):
        separator = "\n" if message else ""
    else:
        separator = "\n\n"
    return message + separator + "\n".join(trailers)


def build_body(content: str | None, trailers: Sequence[str], diff: str | None) -> str:
    """Commit message, new trailers, the ``---`` notes, then the diff; ends with a newline."""
    message, postscript = _split_postscript(clean_text(content))
    body = _append_trailers(message, trailers)
    body = body + "\n" if body else ""
    if postscript:
        body += "---" + postscript + "\n"
    diff_text = clean_text(diff)
    if diff_text:
        body += "\n" + diff_text
        if not diff_text.endswith("\n"):
            body += "\n"
    return body or "\n"


def _encode_addresses(value: str) -> str | None:
    """An address list with non-ASCII display names encoded, or None if it won't parse."""
    pairs = getaddresses([value])
    if not pairs or any("@" not in address for _, address in pairs):
        return None
    try:
        return ", ".join(formataddr(pair, charset="utf-8") for pair in pairs)
    except UnicodeEncodeError:  # a non-ASCII address (RFC 6532): no RFC 2047 form
        return None


def _chunk_text(raw: bytes, charset: str | None) -> str:
    """One decoded-header chunk as text: UTF-8 if it is, else Windows-1252, never failing."""
    if charset not in (None, "us-ascii", "unknown-8bit"):
        try:
            return raw.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("windows-1252", "replace")


def _decode_unknown_8bit(value: str) -> str:
    """The text of a header value holding ``unknown-8bit`` encoded words."""
    try:
        chunks = decode_header(value)
    except HeaderParseError:
        return value
    readable = []
    for part, charset in chunks:
        text = part if isinstance(part, str) else _chunk_text(part, charset)
        readable.append((text, None if text.isascii() else "utf-8"))
    return CONTROL_CHARACTER_RE.sub("", str(make_header(readable)))


def _safe_folding(value: str) -> str:
    """A value whose every line break is a fold: no blank lines, no injected headers."""
    value = re.sub(r"\n[ \t]*(?=\n|$)", "", value.strip())
    return re.sub(r"\n(?![ \t])", "\n ", value)


def encode_header(name: str, value: str) -> str:
    """A header value as it may be written in a mail: ASCII, or RFC 2047 encoded words.

    ASCII values (including already-encoded words) are kept as stored, folding included;
    for address lists only the display names are encoded.  An address that is itself
    non-ASCII has no RFC 2047 form and stays raw UTF-8, as RFC 6532 allows.
    """
    value = _safe_folding(clean_text(value))
    if UNKNOWN_8BIT_WORD_RE.search(value):
        value = _decode_unknown_8bit(value)
    if value.isascii():
        return value
    unfolded = value.replace("\n", "")
    if name.lower() in ADDRESS_HEADERS:
        return _encode_addresses(unfolded) or unfolded
    return Header(unfolded, "utf-8", header_name=name).encode("\n")


def format_person(name: str | None, email: str) -> str:
    """``Name <email>`` with the name encoded when needed, or the bare address."""
    name = clean_text(name).replace("\n", " ").strip()
    if not name:
        return clean_text(email)
    return encode_header("From", formataddr((name, email)))


def _mail_date(date: datetime.datetime) -> str:
    """An RFC 2822 date for a naive datetime stored in the server's time zone."""
    if date.tzinfo is None:
        date = date.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return format_datetime(date)


def _original_headers(stored: str | None) -> list[tuple[str, str]]:
    """The stored header block as (name, value) pairs, in order."""
    parsed = HeaderParser().parsestr(clean_text(stored))
    return [(name, str(value)) for name, value in parsed.items()]


def _submission_headers(submission: Patch | Cover, submitter: str) -> list[tuple[str, str]]:
    """The original headers to copy, with Patchwork's DMARC fix-up and missing ones added."""
    headers: list[tuple[str, str]] = []
    list_address = (submission.project.listemail or "").lower()
    for name, value in _original_headers(submission.headers):
        if name.lower() in GENERATED_HEADERS:
            continue
        if name.lower() == "from" and list_address:
            _, address = parseaddr(value)
            if address.lower() == list_address:
                # The list rewrote From (DMARC munging): give git am the real author.
                headers.append(("X-Patchwork-Original-From", value))
                value = submitter
        headers.append((name, value))
    present = {name.lower() for name, _ in headers}
    if "from" not in present:
        headers.append(("From", submitter))
    if "subject" not in present:
        headers.append(("Subject", submission.name))
    if "message-id" not in present:
        headers.append(("Message-Id", submission.msgid))
    if "date" not in present:
        headers.append(("Date", _mail_date(submission.date)))
    return headers


def _delegate_address(patch: Patch) -> str | None:
    if patch.delegate_id is None:
        return None
    return patch.delegate.email or patch.delegate.username


def _render_message(
    submission: Patch | Cover,
    *,
    body: str,
    delegate: str | None,
) -> str:
    submitter = format_person(submission.submitter.name, submission.submitter.email)
    headers = [
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "7bit" if body.isascii() else "8bit"),
        ("X-Patchwork-Submitter", submitter),
        ("X-Patchwork-Id", str(submission.id)),
    ]
    if delegate:
        headers.append(("X-Patchwork-Delegate", delegate))
    headers += _submission_headers(submission, submitter)
    lines = [f"From patchwork {submission.date.ctime()}"]
    lines += [f"{name}: {encode_header(name, value)}" for name, value in headers]
    return "\n".join(lines) + "\n\n" + FROM_LINE_RE.sub(">From ", body)


def patch_to_mbox(patch: Patch, *, trailers: Sequence[str] | None = None) -> str:
    """One patch as an mbox message; trailers default to those found in its comments."""
    if trailers is None:
        trailers = collect_trailers(
            (comment.content for comment in patch.comments.all()), existing=patch.content
        )
    body = build_body(patch.content, trailers, patch.diff)
    return _render_message(patch, body=body, delegate=_delegate_address(patch))


def cover_to_mbox(cover: Cover, *, trailers: Sequence[str] | None = None) -> str:
    """A cover letter as an mbox message (Patchwork adds its replies' trailers too)."""
    if trailers is None:
        trailers = collect_trailers(
            (comment.content for comment in cover.comments.all()), existing=cover.content
        )
    body = build_body(cover.content, trailers, None)
    return _render_message(cover, body=body, delegate=None)


def patches_to_mbox(patches: Iterable[Patch]) -> str:
    """Several patches as one mbox, in the order given, messages separated by a blank line."""
    return "\n".join(patch_to_mbox(patch) for patch in patches)


def check_series_selection(patch: Patch, value: str | int) -> None:
    """Check a ``?series=`` value (``*`` or the patch's series id) against the patch.

    Raises SeriesSelectionError with a message for the client when it does not fit.
    """
    if patch.series_id is None:
        raise SeriesSelectionError(
            "Patch does not have an associated series. It is not possible to provide "
            "dependencies for this patch."
        )
    if value == "*":
        return
    try:
        series_id = int(value)
    except (TypeError, ValueError):
        raise SeriesSelectionError(
            f"Expected integer series value or *. Received: {value!r}"
        ) from None
    if series_id != patch.series_id:
        raise SeriesSelectionError(f"Patch does not belong to series {series_id}")


def series_patch_to_mbox(patch: Patch, series: str | int) -> str:
    """The patch preceded by what it needs (``?series=*`` or ``?series=<id>``).

    Raises SeriesSelectionError when ``series`` is neither ``*`` nor the patch's series.
    """
    check_series_selection(patch, series)
    return patches_to_mbox(patch_with_dependencies(patch))


def patch_filename(submission: Patch | Cover) -> str:
    """The file name (without extension) Patchwork derives from a patch or cover name."""
    return filename_slug(submission.name) or f"{type(submission).__name__.lower()}-{submission.id}"
