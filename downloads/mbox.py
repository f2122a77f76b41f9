"""Render patches, cover letters, series and bundles as mbox text, byte for byte as Patchwork.

A message is a ``text/plain; charset="utf-8"`` mail as the standard library's ``compat32``
generator writes it for Patchwork 644cef7c (``fold_header`` writes a header the generator
would leave unchanged itself, and leaves the others to the generator's folding): a
``From patchwork <date>`` line, ``Content-Type``, ``MIME-Version``, ``Content-Transfer-Encoding``
(7bit or 8bit), ``X-Patchwork-Submitter``, ``X-Patchwork-Id``, ``X-Patchwork-Delegate``
when delegated, then every stored header of the mail in order except ``Content-Type`` and
``Content-Transfer-Encoding`` (so the mail's own ``MIME-Version`` appears a second time),
and ``Date`` when the mail had none. The generator re-folds values longer than 78
characters and RFC 2047-encodes non-ASCII ones, as it does for Patchwork.

The body: the content (trimmed), then every review trailer line (``Reviewed-by:``,
``Acked-by:`` ... case-insensitive) of every reply in date order, repeats included, right
after the commit message with no blank line, then the ``---`` notes, then a blank line and
the diff.  Body lines starting with ``From `` are not escaped (Patchwork does not).

The renderers read only what is loaded on the objects they are given (plus
``comments.all()``, which hits the prefetch cache when the caller prefetched it, see
``downloads.queries.mbox_patches``), so the views and the XML-RPC API shape their queries
once for a whole series or bundle; only ``series_patch_to_mbox`` queries, for the
earlier patches of the series.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from email.errors import HeaderParseError
from email.header import Header as EmailHeader
from email.header import decode_header, make_header
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import formataddr, formatdate, getaddresses

from covers.models import Cover
from downloads.queries import patch_with_dependencies
from ingest.parsing.author import split_address
from patches.models import Patch

# Patchwork's list of the reply lines that carry review trailers (case-insensitive).
TRAILER_RE = re.compile(
    r"^(?:Tested|Reviewed|Acked|Signed-off|Nacked|Reported)-by:.*$",
    re.MULTILINE | re.IGNORECASE,
)
# The line that separates the commit message from the notes and diffstat ("---"), or
# a signature ("-- "): trailers go before it.
POSTSCRIPT_RE = re.compile(r"^-{2,3} ?$", re.MULTILINE)
# Stored headers the renderer writes itself (matched by exact name, as Patchwork does).
REPLACED_HEADERS = frozenset({"Content-Type", "Content-Transfer-Encoding"})
FILENAME_UNSAFE_RE = re.compile(r"[^-_A-Za-z0-9.]+")
# Encoded words that Python writes for raw 8-bit header text of unknown charset; git
# refuses them ("cannot convert from unknown-8bit"), so they are re-encoded as UTF-8.
UNKNOWN_8BIT_WORD_RE = re.compile(r"=\?unknown-8bit\?", re.IGNORECASE)
# Control characters (tab aside) have no place in a header; git refuses a NUL there.
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A line break not followed by folding white space would start a new header (or the body).
UNFOLDED_BREAK_RE = re.compile(r"\n(?![ \t])")
BLANK_LINE_RE = re.compile(r"\n[ \t]*(?=\n)")
EPOCH = datetime.datetime(1970, 1, 1)
# The characters of a header the generator may write as it is: printable ASCII, tabs
# and newlines (no other line break, which the generator would turn into a fold).
PLAIN_HEADER_RE = re.compile(r"[\t\n\x20-\x7e]*")
# A header's name and colon, as the header parser recognises them.
HEADER_NAME_RE = re.compile(r"[\041-\071\073-\176]+:")
# The generator writes every line ending of the body as a newline.
LINE_END_RE = re.compile(r"\r\n|\r|\n")
# Headers whose value is a list of addresses: only their display names are encoded.
ADDRESS_HEADERS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})

Header = tuple[str, str]  # (name, value), as a message's headers are listed


class SeriesSelectionError(ValueError):
    """A ``?series=`` value that names no series of the patch; the message says why."""


def clean_text(text: str | None) -> str:
    """Text safe to encode as UTF-8 (lone surrogates become '?'), line endings untouched."""
    if not text:
        return ""
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def filename_slug(text: str) -> str:
    """Patchwork's download file name: runs of unsafe characters become '-'."""
    return FILENAME_UNSAFE_RE.sub("-", text).strip("-")


def find_trailers(text: str | None) -> list[str]:
    """The review trailer lines of a text, in order, as they are (trailing blanks too)."""
    return [match.group(0) for match in TRAILER_RE.finditer(clean_text(text))]


def collect_trailers(comment_texts: Iterable[str | None]) -> list[str]:
    """Every trailer line of the replies, in order, repeats included (as Patchwork)."""
    return [trailer for text in comment_texts for trailer in find_trailers(text)]


def build_body(content: str | None, trailers: Sequence[str], diff: str | None) -> str:
    """Commit message, the replies' trailers, the ``---`` notes, a blank line, the diff."""
    text = clean_text(content).strip()
    body = text + "\n" if text else ""
    postscript = ""
    parts = POSTSCRIPT_RE.split(body, maxsplit=1)
    if len(parts) == 2:
        body = parts[0].strip() + "\n"
        postscript = parts[1].rstrip()
    body += "".join(trailer + "\n" for trailer in trailers)
    if postscript:
        body += "---" + postscript + "\n"
    if diff:
        body += "\n" + clean_text(diff)
    return body


def _decode_unknown_8bit(value: str) -> str:
    """The text of a header value holding ``unknown-8bit`` encoded words, re-encoded."""
    try:
        chunks = decode_header(value)
    except HeaderParseError:
        return value
    readable = []
    for part, charset in chunks:
        text = part if isinstance(part, str) else _chunk_text(part, charset)
        readable.append((text, None if text.isascii() else "utf-8"))
    return CONTROL_CHARACTER_RE.sub("", str(make_header(readable)))


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


def _encode_addresses(value: str) -> str:
    """An address list with its non-ASCII display names encoded (the addresses stay
    readable to git am); a value that is no address list is left to the generator."""
    pairs = getaddresses([value.replace("\n", "")])
    if not pairs or any("@" not in address or not address.isascii() for _, address in pairs):
        return value
    return ", ".join(formataddr(pair, charset="utf-8") for pair in pairs)


def header_value(name: str, value: str) -> str:
    """A stored header value as the generator may write it.

    Values as Patchwork stores them (ASCII, encoded words) pass unchanged, folding and
    trailing spaces kept.  Beyond Patchwork: a break that would start a new header or end
    the header block becomes a fold; ``unknown-8bit`` words (which git refuses) are
    re-encoded as UTF-8; a non-ASCII address list gets its display names encoded.
    """
    value = clean_text(value).replace("\r", "")
    value = BLANK_LINE_RE.sub("", value).rstrip("\n")
    value = UNFOLDED_BREAK_RE.sub("\n ", value)
    if UNKNOWN_8BIT_WORD_RE.search(value):
        value = _decode_unknown_8bit(value)
    if not value.isascii() and name.lower() in ADDRESS_HEADERS:
        value = _encode_addresses(value)
    return value


def format_person(name: str | None, email: str) -> str:
    """``Name <email>`` with a non-ASCII name encoded, or the bare address (no name)."""
    name = clean_text(name).replace("\n", " ").replace("\r", " ")
    return formataddr((name, clean_text(email)), charset="utf-8")


def _list_address(value: str) -> str | None:
    """The address of a stored ``From`` value, as Patchwork reads it to spot DMARC munging."""
    return split_address(value)[1]


def _mail_date(date: datetime.datetime) -> str:
    """Patchwork's ``Date`` for a mail that had none: the stored time as UTC, ``-0000``."""
    if date.tzinfo is not None:
        date = date.astimezone(datetime.UTC).replace(tzinfo=None)
    delta = date - EPOCH
    return formatdate(delta.days * 86400 + delta.seconds)


def _original_headers(stored: str | None) -> list[tuple[str, str]]:
    """The stored header block as (name, value) pairs, in order, values as stored."""
    text = clean_text(stored)
    pairs = _split_headers(text)
    if pairs is None:
        parsed = HeaderParser().parsestr(text)
        pairs = [(name, str(value)) for name, value in parsed.items()]
    return pairs


def _split_headers(text: str) -> list[tuple[str, str]] | None:
    """What the ``compat32`` header parser reads from a well-formed block (``name:``
    lines and their indented continuations, up to a blank line); None for a block it
    reads in its own way (carriage returns, a ``From`` line, a nameless or continued
    first line), left to it."""
    if "\r" in text:
        return None
    headers: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        if line[:1] in (" ", "\t"):
            if not headers:
                return None
            headers[-1][1].append(line)
            continue
        name = HEADER_NAME_RE.match(line)
        if name is None:
            if line.startswith(("From ", ":")):
                return None
            break  # the end of the block: a blank line, or what the parser takes as body
        headers.append((line[: name.end() - 1], [line[name.end() :].lstrip(" \t")]))
    return [(name, "\n".join(lines)) for name, lines in headers]


def _headers(body: str, submission: Patch | Cover, delegate: str | None) -> list[Header]:
    """The message's headers in order, as ``MIMENonMultipart`` and Patchwork add them."""
    transfer_encoding = "7bit" if body.isascii() else "8bit"
    submitter = format_person(submission.submitter.name, submission.submitter.email)
    headers = [
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", transfer_encoding),
        ("X-Patchwork-Submitter", submitter),
        ("X-Patchwork-Id", str(submission.id)),
    ]
    if delegate is not None:
        headers.append(("X-Patchwork-Delegate", delegate))
    list_address = submission.project.listemail
    for name, value in _original_headers(submission.headers):
        if name in REPLACED_HEADERS:
            continue
        if name == "From" and list_address and _list_address(value) == list_address:
            # The list rewrote From (DMARC munging): give git am the real author.
            headers.append(("X-Patchwork-Original-From", header_value(name, value)))
            value = submitter
        headers.append((name, header_value(name, value)))
    if not any(name.lower() == "date" for name, _ in headers):
        headers.append(("Date", _mail_date(submission.date)))
    return headers


def fold_header(name: str, value: str) -> str:
    """``name: value`` and a newline, as the ``compat32`` generator writes the header.

    Lines the generator keeps as they are are written without its folding machinery
    (most of a message's cost): printable ASCII, every line within 78 characters, the
    continuation lines indented, no line of a folded value ending in white space. The
    others go through the generator's folding.
    """
    if _kept_as_is(name, value):
        return f"{name}: {value}\n"
    return compat32.fold_binary(name, value).decode("ascii")


def _kept_as_is(name: str, value: str) -> bool:
    if not PLAIN_HEADER_RE.fullmatch(name + value):
        return False
    first, *continuation = value.split("\n")
    if len(name) + len(first) + 2 > compat32.max_line_length:
        return False
    if not continuation:
        return True
    return first.strip() == first != "" and all(
        len(line) <= compat32.max_line_length and line[:1] in (" ", "\t") and line.rstrip() == line
        for line in continuation
    )


def _render_message(submission: Patch | Cover, *, body: str, delegate: str | None) -> str:
    """What ``as_bytes(unixfrom=True)`` of Patchwork's ``MIMENonMultipart`` writes:
    the ``From`` line, the folded headers, a blank line, the body with its line endings
    made newlines."""
    headers = _headers(body, submission, delegate)
    unixfrom = f"From patchwork {submission.date.ctime()}"
    try:
        folded = "".join(fold_header(name, value) for name, value in headers)
    except (HeaderParseError, UnicodeError):
        # A value the generator refuses (never one Patchwork stored): written unfolded.
        return _render_plainly(unixfrom, headers, body)
    if "\r" in body:
        body = LINE_END_RE.sub("\n", body)
    return f"{unixfrom}\n{folded}\n{body}"


def _render_plainly(unixfrom: str, headers: list[Header], body: str) -> str:
    lines = [unixfrom]
    for name, value in headers:
        text = value.replace("\n", " ")
        if not text.isascii():
            text = EmailHeader(text, "utf-8", header_name=name).encode()
        lines.append(f"{name}: {text}")
    return "\n".join(lines) + "\n\n" + body


def _delegate_address(patch: Patch) -> str | None:
    if patch.delegate_id is None:
        return None
    return str(patch.delegate.email)


def patch_to_mbox(patch: Patch, *, trailers: Sequence[str] | None = None) -> str:
    """One patch as an mbox message; trailers default to those found in its comments."""
    if trailers is None:
        trailers = collect_trailers(comment.content for comment in _by_date(patch.comments))
    body = build_body(patch.content, trailers, patch.diff)
    return _render_message(patch, body=body, delegate=_delegate_address(patch))


def cover_to_mbox(cover: Cover, *, trailers: Sequence[str] | None = None) -> str:
    """A cover letter as an mbox message (Patchwork adds its replies' trailers too)."""
    if trailers is None:
        trailers = collect_trailers(comment.content for comment in _by_date(cover.comments))
    body = build_body(cover.content, trailers, None)
    return _render_message(cover, body=body, delegate=None)


def _by_date(comments) -> list:
    """Replies in date order (their ids break ties), from the prefetch cache if filled."""
    return sorted(comments.all(), key=lambda comment: (comment.date, comment.id or 0))


def patches_to_mbox(patches: Iterable[Patch]) -> str:
    """Several patches as one mbox, in the order given, messages separated by a newline."""
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
    """The file name (without extension) Patchwork derives from a patch or cover name
    (empty for a mail without subject, as Patchwork's)."""
    return filename_slug(submission.name)
