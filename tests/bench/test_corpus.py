"""Tests of the archive helpers (bench/corpus.py) and a tiny mkcorpus dry run."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synthrepo
from bench.corpus import (
    Corpus,
    iter_messages,
    mail_offsets,
    summarize_manifest,
    write_slice,
)
from tests.conftest import shared_path

MBOX = (
    b"From alice@example.org Mon Jan  1 00:00:00 2024\n"
    b"Message-Id: <1@example.org>\nSubject: one\n\nbody one\n>From the start\n\n"
    b"From bob@example.org Mon Jan  1 00:01:00 2024\n"
    b"Message-Id: <2@example.org>\nSubject: two\n\nbody two\n>>From quoted twice\n\n"
    b"From carol@example.org Mon Jan  1 00:02:00 2024\n"
    b"Message-Id: <3@example.org>\nSubject: three\n\nbody three\n"
)


@pytest.fixture
def mbox(tmp_path: Path) -> Path:
    path = tmp_path / "archive.mbox"
    path.write_bytes(MBOX)
    return path


def test_mail_offsets_find_each_separator(mbox):
    offsets = mail_offsets(mbox)
    assert len(offsets) == 3
    assert all(MBOX[offset:].startswith(b"From ") for offset in offsets)


@pytest.mark.parametrize(
    ("start", "stop", "copied"), [(0, 2, 2), (1, 3, 2), (0, 99, 3), (3, 5, 0)]
)
def test_write_slice_copies_whole_mails(mbox, tmp_path, start, stop, copied):
    target = tmp_path / "slice.mbox"
    assert write_slice(mbox, target, start, stop) == copied
    assert len(mail_offsets(target)) == copied
    if copied:
        assert target.read_bytes().startswith(b"From ")


def test_iter_messages_undo_mboxrd_quoting_and_drop_the_from_line(mbox):
    first, second = iter_messages(mbox, 0, 2)
    assert first.startswith(b"Message-Id: <1@example.org>")
    assert b"\nFrom the start\n" in first
    assert b"\n>From quoted twice\n" in second


@pytest.mark.parametrize(
    ("patches", "mails"), [(0, 1), (50, 100), (100, 5), (250, 9), (10_000, 1_000)]
)
def test_mails_for_patches(patches, mails):
    """The prefix ends after the mail carrying the last hundredth patch up to N."""
    corpus = Corpus(Path("/"), "k", 1_000, 300, {}, (), patch_marks=(4, 8, 11))
    assert corpus.mails_for_patches(patches) == mails


def test_synthetic_repository_is_deterministic(tmp_path):
    first = synthrepo.create_repository(tmp_path / "a", "demo", seed=3, commits=12)
    second = synthrepo.create_repository(tmp_path / "b", "demo", seed=3, commits=12)
    heads = [
        subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for path in (first, second)
    ]
    assert heads[0] == heads[1]
    count = subprocess.run(
        ["git", "-C", str(first), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(count) == 13  # the import plus 12 edits


def test_tiny_corpus_dry_run(tmp_path):
    """mkcorpus.py turns two small synthetic histories into patches, covers and replies."""
    mkcorpus = shared_path("tools", "mkcorpus.py")
    repos = [synthrepo.create_repository(tmp_path, name, 1, 40) for name in ("one", "two")]
    manifest = tmp_path / "manifest.json.gz"
    subprocess.run(
        [
            sys.executable,
            str(mkcorpus),
            "--quiet",
            "--projects",
            "one.t.org,two.t.org",
            "--out",
            str(tmp_path / "out.mbox"),
            "--manifest",
            str(manifest),
            *(str(repo) for repo in repos),
        ],
        check=True,
    )
    summary = summarize_manifest(manifest)
    assert summary["patches"] >= 40
    assert summary["list_ids"] == ["one.t.org", "two.t.org"]
    assert len(mail_offsets(tmp_path / "out.mbox")) == summary["mails"]
    with gzip.open(manifest, "rt") as stream:
        kinds = {mail["kind"] for mail in json.load(stream)["mails"]}
    assert {"patch", "reply"} <= kinds
