"""Reading archives: mbox splitting, mboxrd unescaping, compression, maildirs, streaming."""

import bz2
import gzip
import io
import lzma
import re

import pytest

from ingest.archives import Archive, mbox_messages

MBOX = (
    b"From jo@example.org Mon Jan  1 00:00:00 2024\n"
    b"Subject: one\n\nbody one\n>From the start\n>>From quoted\nFrom-the-middle\n\n"
    b"From jo@example.org Mon Jan  1 00:00:01 2024\n"
    b"Subject: two\n\nbody two\n"
)


def test_an_mbox_is_split_at_from_lines_and_unescaped():
    first, second = mbox_messages(io.BytesIO(MBOX))

    assert first == (b"Subject: one\n\nbody one\nFrom the start\n>From quoted\nFrom-the-middle\n")
    assert second == b"Subject: two\n\nbody two\n"


def line_by_line(data: bytes) -> list[bytes]:
    """The splitting rules, one line at a time: what the chunked reader must give."""
    messages, lines, started = [], [], False
    for line in io.BytesIO(data):
        if line.startswith(b"From "):
            if started:
                messages.append(lines)
            lines, started = [], True
            continue
        lines.append(line[1:] if re.match(rb">+From ", line) else line)
        started = True
    if started and any(line.strip() for line in lines):
        messages.append(lines)
    return [
        b"".join(lines[:-1] if lines and lines[-1] in (b"\n", b"\r\n") else lines)
        for lines in messages
    ]


TRICKY_MBOXES = [
    MBOX,
    MBOX.replace(b"\n", b"\r\n"),
    b"preamble without a separator\n\n" + MBOX,
    b"From a\nFrom b\nSubject: after two separators\n\nbody\n",
    b"From a\nSubject: x\n\nno newline at the end",
    MBOX + b"From trailing separator without newline",
    MBOX + b"From a\n\n\n",
    b"\n\n\n",
    b"From a\r\n\r\n" + b"line\r\n" * 50 + b"\r\nFrom b\r\nSubject: y\r\n\r\nz\r\n",
    b"From a\nSubject: q\n\n>From one\n>>>From three\n >From not at a line start\n\n",
]


@pytest.mark.parametrize("data", TRICKY_MBOXES)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1 << 20])
def test_chunked_splitting_gives_what_line_by_line_splitting_gives(data, chunk_size):
    assert list(mbox_messages(io.BytesIO(data), chunk_size=chunk_size)) == line_by_line(data)


def test_a_single_mail_without_from_line_is_one_message():
    assert list(mbox_messages(io.BytesIO(b"Subject: x\n\nbody\n"))) == [b"Subject: x\n\nbody\n"]


def test_an_empty_file_has_no_message():
    assert list(mbox_messages(io.BytesIO(b""))) == []


@pytest.mark.parametrize("compress", [gzip.compress, lzma.compress, bz2.compress, bytes])
def test_compression_is_recognised_by_content(tmp_path, compress):
    path = tmp_path / "archive"  # no telling extension
    path.write_bytes(compress(MBOX))

    archive = Archive(path)

    assert [raw.split(b"\n")[0] for raw in archive.messages()] == [
        b"Subject: one",
        b"Subject: two",
    ]
    assert archive.bytes_read == archive.total_bytes == path.stat().st_size


def test_messages_are_streamed_not_read_whole():
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        position = 0

        def readinto(self, buffer):
            data = b"From x Mon Jan  1 00:00:00 2024\nSubject: again\n\nbody\n"
            count = len(buffer)
            start = self.position % len(data)
            buffer[:count] = (data * (2 + count // len(data)))[start : start + count]
            self.position += count
            return count

    messages = mbox_messages(io.BufferedReader(Endless()))

    assert next(messages) == b"Subject: again\n\nbody\n"
    assert next(messages) == b"Subject: again\n\nbody\n"


def test_a_maildir_reads_cur_and_new(tmp_path):
    for folder, name in [("cur", "1:2,S"), ("new", "2")]:
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_bytes(f"Subject: {folder}\n\nbody\n".encode())
    (tmp_path / "tmp").mkdir()

    assert [raw.split(b"\n")[0] for raw in Archive(tmp_path).messages()] == [
        b"Subject: cur",
        b"Subject: new",
    ]


def test_a_plain_directory_reads_every_file_as_an_mbox(tmp_path):
    (tmp_path / "a.mbox").write_bytes(MBOX)
    (tmp_path / "b.mbox.gz").write_bytes(gzip.compress(b"Subject: three\n\nbody\n"))

    assert len(list(Archive(tmp_path).messages())) == 3
