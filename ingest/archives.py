"""Reading mail archives as a stream of raw messages: mbox (plain, gz, xz, bz2) and maildir.

An mbox is read line by line, never whole, so archives larger than memory work. Its
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

MBOXRD_ESCAPED = re.compile(rb"^>+From ")
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


def mbox_messages(stream: BinaryIO) -> Iterator[bytes]:
    """The messages of an mbox stream, without their ``From `` separator lines."""
    lines: list[bytes] = []
    started = False
    for line in stream:
        if line.startswith(b"From "):
            if started:
                yield _message(lines)
            lines = []
            started = True
            continue
        if MBOXRD_ESCAPED.match(line):
            line = line[1:]
        lines.append(line)
        started = True
    if started and any(line.strip() for line in lines):
        yield _message(lines)


def _message(lines: list[bytes]) -> bytes:
    # The blank line before the next "From " separates messages; it is not content.
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)


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
