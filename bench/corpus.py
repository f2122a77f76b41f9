"""The benchmark archive: built once with mkcorpus.py from synthetic repositories, cached.

The cache directory is keyed by everything that shapes the archive (sizes, seed, the
mkcorpus.py and synthrepo.py sources and the Python version whose standard library seeds
the repositories), so a changed generator builds a new archive instead of reusing a
stale one.  Next to the mbox it keeps ``corpus.json``: counts and the position of every
hundredth patch, so a prefix with a given number of patches can be cut without reading
the manifest again.
"""

import gzip
import hashlib
import json
import mmap
import platform
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import synthrepo
from bench.config import BenchConfig, CorpusSize

MBOX_SEPARATOR = re.compile(rb"^From ", re.MULTILINE)
MBOXRD_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
PATCH_MARK_EVERY = 100


@dataclass(frozen=True)
class Corpus:
    directory: Path
    key: str
    mails: int
    patches: int
    kinds: dict[str, int]
    list_ids: tuple[str, ...]
    patch_marks: tuple[int, ...]  # mail index of patch number 100, 200, ...

    @property
    def mbox(self) -> Path:
        return self.directory / "archive.mbox"

    def mails_for_patches(self, patches: int) -> int:
        """Length of the archive prefix that holds about ``patches`` patch mails."""
        mark = patches // PATCH_MARK_EVERY
        if mark <= 0:
            return min(self.mails, max(1, 2 * patches))
        if mark > len(self.patch_marks):
            return self.mails
        return self.patch_marks[mark - 1] + 1


def list_ids_for(size: CorpusSize) -> tuple[str, ...]:
    return tuple(f"{name}.bench.example.org" for name in size.repos[: size.projects])


def corpus_key(config: BenchConfig) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(config.corpus), sort_keys=True).encode())
    digest.update(config.mkcorpus.read_bytes())
    digest.update(Path(synthrepo.__file__).read_bytes())
    digest.update(platform.python_version().encode())
    return digest.hexdigest()[:16]


def ensure_corpus(config: BenchConfig) -> Corpus:
    """The cached archive for this configuration, generating it when missing."""
    if not config.mkcorpus.exists():
        raise FileNotFoundError(
            f"{config.mkcorpus} not found: set BENCH_SHARED_DIR to the shared/ directory"
        )
    key = corpus_key(config)
    directory = config.cache_dir / f"corpus-{key}"
    summary = directory / "corpus.json"
    if not summary.exists():
        build_corpus(config, directory)
        write_summary(directory, summarize_manifest(directory / "manifest.json.gz"))
    return load_corpus(directory, key)


def build_corpus(config: BenchConfig, directory: Path) -> None:
    size = config.corpus
    repos_dir = directory / "repos"
    repos = [
        synthrepo.create_repository(repos_dir, name, size.seed, size.repo_commits)
        for name in size.repos
    ]
    subprocess.run(
        [
            str(config.python),
            str(config.mkcorpus),
            "--quiet",
            "--seed",
            str(size.seed),
            "--repeat",
            str(size.repeat),
            "--projects",
            ",".join(list_ids_for(size)),
            "--cache-dir",
            str(directory / "format-patch"),
            "--out",
            str(directory / "archive.mbox"),
            "--manifest",
            str(directory / "manifest.json.gz"),
            *(str(path) for path in repos),
        ],
        check=True,
    )


def summarize_manifest(manifest_path: Path) -> dict:
    with gzip.open(manifest_path, "rt", encoding="utf-8") as stream:
        manifest = json.load(stream)
    kinds: Counter[str] = Counter()
    list_ids: set[str] = set()
    patch_marks = []
    for mail in manifest["mails"]:
        kinds[mail["kind"]] += 1
        list_ids.add(mail["list_id"])
        if mail["kind"] == "patch" and kinds["patch"] % PATCH_MARK_EVERY == 0:
            patch_marks.append(mail["i"])
    return {
        "mails": len(manifest["mails"]),
        "patches": kinds["patch"],
        "kinds": dict(kinds),
        "list_ids": sorted(list_ids),
        "patch_marks": patch_marks,
    }


def write_summary(directory: Path, summary: dict) -> None:
    (directory / "corpus.json").write_text(json.dumps(summary, indent=1))


def load_corpus(directory: Path, key: str) -> Corpus:
    summary = json.loads((directory / "corpus.json").read_text())
    return Corpus(
        directory=directory,
        key=key,
        mails=summary["mails"],
        patches=summary["patches"],
        kinds=summary["kinds"],
        list_ids=tuple(summary["list_ids"]),
        patch_marks=tuple(summary["patch_marks"]),
    )


def mail_offsets(mbox: Path) -> list[int]:
    """Byte offset of every mail's ``From `` separator line in an mboxrd file."""
    if mbox.stat().st_size == 0:
        return []
    with mbox.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return [match.start() for match in MBOX_SEPARATOR.finditer(mm)]


def write_slice(mbox: Path, target: Path, start: int, stop: int) -> int:
    """Copy mails [start, stop) of mbox into target (an mbox too); return mails copied."""
    offsets = mail_offsets(mbox)
    stop = min(stop, len(offsets))
    if start >= stop:
        target.write_bytes(b"")
        return 0
    end = offsets[stop] if stop < len(offsets) else mbox.stat().st_size
    with mbox.open("rb") as source, target.open("wb") as sink:
        source.seek(offsets[start])
        remaining = end - offsets[start]
        while remaining:
            chunk = source.read(min(remaining, 1 << 20))
            sink.write(chunk)
            remaining -= len(chunk)
    return stop - start


def iter_messages(mbox: Path, start: int, stop: int) -> Iterator[bytes]:
    """Mails [start, stop) as single RFC 5322 messages, as an MTA would deliver them:
    without the ``From `` line and with mboxrd quoting undone."""
    offsets = mail_offsets(mbox)
    stop = min(stop, len(offsets))
    size = mbox.stat().st_size
    with mbox.open("rb") as stream:
        for index in range(start, stop):
            end = offsets[index + 1] if index + 1 < len(offsets) else size
            stream.seek(offsets[index])
            raw = stream.read(end - offsets[index])
            yield MBOXRD_QUOTED_FROM.sub(rb"\1", raw.split(b"\n", 1)[1])
