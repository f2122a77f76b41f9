"""Reading mail archives as a stream of raw messages: mbox (plain, gz, xz, bz2) and maildir.

An mbox is read in chunks, never whole, so archives larger than memory work. Its
messages are split at ``From `` lines, as Python's ``mailbox.mbox`` does, and mboxrd
escaping is undone (``>From `` -> ``From ``, ``>>From `` -> ``>From ``).
"""

import bz2
import gzip
import io
import lzma
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import BinaryIO

SEPARATOR = re.compile(rb"^From [^\n]*(?:\n|\Z)", re.MULTILINE)
MBOXRD_ESCAPED = re.compile(rb"^>(>*From )", re.MULTILINE)
CHUNK_SIZE = 1 << 20
COMPRESSED_MAGIC = {
    b"\x1f\x8b": gzip.open,
    b"\xfd7zXZ\x00": lzma.open,
    b"BZh": bz2.open,
}


class Archive:
    """One archive file or maildir, with how far reading it has gone (for progress)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total_bytes = _size(path)
        self._raw: io.BufferedReader | None = None

    @property
    def bytes_read(self) -> int:
        """Bytes of the file (compressed, if it is) consumed so far."""
        if self._raw is None or self._raw.closed:
            return self.total_bytes
        return self._raw.tell()

    def messages(self) -> Iterator[bytes]:
        if self.path.is_dir():
            yield from _maildir_messages(self.path)
            return
        with open(self.path, "rb") as raw:
            self._raw = raw
            with _decompressed(raw) as stream:
                yield from mbox_messages(stream)


def mbox_messages(stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The messages of an mbox stream, without their ``From `` separator lines.

    The stream is read in chunks and cut at separator lines with one regular expression
    search per message, not line by line: splitting stays cheap beside parsing.
    """
    started = False  # a separator or a line of content has been seen
    parts: list[bytes] = []  # the current message so far
    pending = b""  # the tail of the last chunk, after its last complete line
    while chunk := stream.read(chunk_size):
        text = pending + chunk
        cut = text.rfind(b"\n") + 1
        text, pending = text[:cut], text[cut:]
        for separated in _separated(text, parts, started):
            yield _message(separated)
        started = started or bool(text)
    if pending:
        for separated in _separated(pending, parts, started):
            yield _message(separated)
        started = True
    message = b"".join(parts)
    if started and message.strip():
        yield _message([message])


def _separated(text: bytes, parts: list[bytes], started: bool) -> Iterator[list[bytes]]:
    """Add whole lines to ``parts``; yield the finished messages a separator closes."""
    position = 0
    for separator in SEPARATOR.finditer(text):
        if separator.start() > position:
            parts.append(text[position : separator.start()])
            started = True
        if started:
            yield parts[:]
        parts.clear()
        started = True
        position = separator.end()
    if position < len(text):
        parts.append(text[position:])


def _message(parts: list[bytes]) -> bytes:
    message = b"".join(parts)
    # The blank line before the next "From " separates messages; it is not content.
    if message in (b"\n", b"\r\n"):
        return b""
    if message.endswith(b"\n\r\n"):
        message = message[:-2]
    elif message.endswith(b"\n\n"):
        message = message[:-1]
    return MBOXRD_ESCAPED.sub(rb"\1", message)


def _decompressed(raw: io.BufferedReader) -> AbstractContextManager[BinaryIO]:
    """The decompressed stream of a file, recognised by its magic bytes."""
    head = raw.peek(6)[:6]
    for magic, opener in COMPRESSED_MAGIC.items():
        if head.startswith(magic):
            return opener(raw, "rb")
    return nullcontext(raw)


def _maildir_messages(path: Path) -> Iterator[bytes]:
    """The messages of a maildir (cur/ and new/), or of every file in a plain directory."""
    subdirectories = [path / "cur", path / "new"]
    if any(directory.is_dir() for directory in subdirectories):
        for directory in subdirectories:
            if directory.is_dir():
                for entry in sorted(directory.iterdir()):
                    if entry.is_file():
                        yield entry.read_bytes()
        return
    for entry in sorted(path.iterdir()):
        if entry.is_file():
            yield from Archive(entry).messages()


def _size(path: Path) -> int:
    if path.is_dir():
        return 0
    return path.stat().st_size
