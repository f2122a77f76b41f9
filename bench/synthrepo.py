"""Deterministic synthetic git repositories for the benchmark corpus.

mkcorpus.py needs real git histories.  No large history ships with a clean clone, so this
module builds one with ``git fast-import``: the first commit imports real Python source
files from the running interpreter's standard library, and every later commit is a small
edit (a few lines inserted, deleted or replaced in one to three files, now and then a new
file) by one of a pool of authors who work in bursts, as people do when they post series.
The same seed, commit count and Python version give the same repository.
"""

import random
import subprocess
import sysconfig
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

FIRST_NAMES = (
    "Alice", "Bruno", "Chen", "Dana", "Émile", "Farah", "Gustav", "Hiro", "Ines", "Jörg",
    "Kavya", "Lars", "Maëlle", "Nikolai", "Olu", "Paweł", "Quinn", "Rosa", "Søren", "Tomás",
    "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zoltán",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Bergström", "Castillo", "Dubois", "Eriksen", "Fujita", "García", "Hoffmann",
    "Ivanov", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "O'Brien", "Petrov",
    "Quintero", "Rossi", "Schäfer", "Tanaka", "Urbanek", "Vasquez", "Weber", "Yilmaz", "Zhang",
)  # fmt: skip
VERBS = (
    "fix", "add", "remove", "rework", "simplify", "document", "handle", "avoid", "use",
    "drop", "rename", "refactor", "validate", "cache", "support", "clean up",
)  # fmt: skip
OBJECTS = (
    "error handling", "empty input", "the parser state", "a race on shutdown", "stale entries",
    "the retry loop", "unicode names", "large buffers", "an off-by-one in the index",
    "deprecated helpers", "the default timeout", "config parsing", "missing attributes",
    "the lookup table", "duplicate work", "logging output", "path normalisation",
)  # fmt: skip
WORDS = (
    "the", "this", "when", "callers", "value", "returns", "because", "instead", "now", "so",
    "previous", "code", "path", "case", "list", "which", "before", "after", "we", "it",
    "handler", "request", "function", "module", "keeps", "breaks", "checks", "state", "a",
    "no", "longer", "always", "never", "needed", "test", "covers", "change", "behaviour",
)  # fmt: skip
TIMEZONES = (-480, -420, -300, -240, 0, 0, 60, 60, 120, 330, 480, 540)
SEED_FILES = 160
SEED_MAX_BYTES = 30_000
START_EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z
TAG_EVERY = 120


@dataclass(frozen=True)
class Author:
    name: str
    email: str
    tz_minutes: int


@dataclass
class RepoState:
    """The working tree being evolved, file path -> lines (each ending in a newline)."""

    files: dict[str, list[str]] = field(default_factory=dict)
    spare_sources: list[Path] = field(default_factory=list)


def stdlib_sources() -> list[Path]:
    """Python source files of the standard library, in a stable order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    candidates = [
        path
        for path in root.rglob("*.py")
        if "test" not in path.parts and "site-packages" not in path.parts
    ]
    return sorted(path for path in candidates if 2_000 <= path.stat().st_size <= SEED_MAX_BYTES)


def make_authors(rng: random.Random, count: int, domain: str) -> list[Author]:
    authors = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}{index}".lower().encode("ascii", "ignore").decode()
        local = local.replace("'", "")
        authors.append(Author(f"{first} {last}", f"{local}@{domain}", rng.choice(TIMEZONES)))
    return authors


def read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line + "\n" for line in text.splitlines()]


def seed_tree(rng: random.Random, sources: list[Path], package: str) -> RepoState:
    chosen = rng.sample(sources, min(SEED_FILES, len(sources)))
    state = RepoState()
    for path in chosen:
        state.files[f"{package}/{path.parent.name}/{path.name}"] = read_lines(path)
    chosen_set = set(chosen)
    state.spare_sources = [path for path in sources if path not in chosen_set]
    return state


def borrowed_lines(rng: random.Random, state: RepoState, count: int) -> list[str]:
    """A run of real source lines from a random file, to insert somewhere else."""
    lines = state.files[rng.choice(sorted(state.files))]
    start = rng.randrange(max(1, len(lines) - count))
    return lines[start : start + count] or ["pass\n"]


def edit_file(rng: random.Random, state: RepoState, path: str) -> None:
    lines = state.files[path]
    for _ in range(rng.randint(1, 3)):
        position = rng.randrange(max(1, len(lines)))
        action = rng.random()
        if action < 0.4:
            lines[position:position] = borrowed_lines(rng, state, rng.randint(1, 6))
        elif action < 0.7 and len(lines) > 20:
            del lines[position : position + rng.randint(1, 4)]
        else:
            lines[position : position + rng.randint(1, 3)] = borrowed_lines(
                rng, state, rng.randint(1, 4)
            )


def add_file(rng: random.Random, state: RepoState, package: str) -> str | None:
    if not state.spare_sources:
        return None
    source = state.spare_sources.pop(rng.randrange(len(state.spare_sources)))
    lines = read_lines(source)
    start = rng.randrange(max(1, len(lines) - 80))
    path = f"{package}/{source.parent.name}/new_{source.name}"
    state.files[path] = lines[start : start + rng.randint(20, 80)]
    return path


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def commit_message(rng: random.Random, paths: list[str], author: Author) -> str:
    subsystem = Path(paths[0]).stem.removeprefix("new_")
    subject = f"{subsystem}: {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    paragraphs = [
        textwrap.fill(" ".join(sentence(rng) for _ in range(rng.randint(1, 4))), 72)
        for _ in range(rng.randint(1, 3))
    ]
    body = "\n\n".join(paragraphs)
    return f"{subject}\n\n{body}\n\nSigned-off-by: {author.name} <{author.email}>\n"


def data_block(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def person_line(role: str, author: Author, epoch: int) -> bytes:
    sign = "+" if author.tz_minutes >= 0 else "-"
    hours, minutes = divmod(abs(author.tz_minutes), 60)
    zone = f"{sign}{hours:02d}{minutes:02d}"
    return f"{role} {author.name} <{author.email}> {epoch} {zone}\n".encode()


class FastImportWriter:
    """Writes a git fast-import stream: one commit per call, blobs inline."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.mark = 0
        self.last_commit: int | None = None
        self.tags = 0

    def commit(self, author: Author, epoch: int, message: str, changes: dict[str, str | None]):
        blob_marks = {}
        for path, text in changes.items():
            if text is not None:
                self.mark += 1
                blob_marks[path] = self.mark
                self.chunks.append(b"blob\nmark :%d\n" % self.mark + data_block(text.encode()))
        self.mark += 1
        self.chunks.append(b"commit refs/heads/main\nmark :%d\n" % self.mark)
        self.chunks.append(person_line("author", author, epoch))
        self.chunks.append(person_line("committer", author, epoch))
        self.chunks.append(data_block(message.encode()))
        if self.last_commit is not None:
            self.chunks.append(b"from :%d\n" % self.last_commit)
        for path in sorted(changes):
            if path in blob_marks:
                self.chunks.append(b"M 100644 :%d %s\n" % (blob_marks[path], path.encode()))
            else:
                self.chunks.append(b"D %s\n" % path.encode())
        self.chunks.append(b"\n")
        self.last_commit = self.mark

    def tag(self, tagger: Author, epoch: int) -> None:
        self.tags += 1
        name = f"v1.{self.tags}"
        self.chunks.append(f"tag {name}\nfrom :{self.last_commit}\n".encode())
        self.chunks.append(person_line("tagger", tagger, epoch))
        self.chunks.append(data_block(f"Release {name}\n".encode()))

    def stream(self) -> bytes:
        return b"".join(self.chunks)


def plan_bursts(rng: random.Random, authors: list[Author], commits: int):
    """Yield (author, epoch) per commit: bursts by one author, minutes apart."""
    weights = [1.0 / (rank + 1) for rank in range(len(authors))]
    epoch = START_EPOCH
    produced = 0
    while produced < commits:
        author = rng.choices(authors, weights)[0]
        burst = min(commits - produced, 1 + int(rng.expovariate(0.45)))
        for _ in range(burst):
            epoch += rng.randint(60, 1_800)
            yield author, epoch
            produced += 1
        epoch += rng.randint(2 * 3_600, 30 * 3_600)


def build_history(name: str, seed: int, commits: int) -> FastImportWriter:
    rng = random.Random(f"{name}:{seed}")
    package = name.replace("-", "_")
    state = seed_tree(rng, stdlib_sources(), package)
    authors = make_authors(rng, 40, f"{name}.example.com")
    writer = FastImportWriter()
    root_author = authors[0]
    initial = {path: "".join(lines) for path, lines in state.files.items()}
    writer.commit(root_author, START_EPOCH, f"Initial import of {name}\n", initial)
    for number, (author, epoch) in enumerate(plan_bursts(rng, authors, commits), start=1):
        changes = one_change(rng, state, package)
        writer.commit(author, epoch, commit_message(rng, sorted(changes), author), changes)
        if number % TAG_EVERY == 0:
            writer.tag(root_author, epoch + 60)
    return writer


def one_change(rng: random.Random, state: RepoState, package: str) -> dict[str, str | None]:
    """Edit one to three files (sometimes adding one); return path -> new text."""
    if rng.random() < 0.05:
        added = add_file(rng, state, package)
        if added:
            return {added: "".join(state.files[added])}
    paths = rng.sample(sorted(state.files), rng.randint(1, 3))
    for path in paths:
        edit_file(rng, state, path)
    return {path: "".join(state.files[path]) for path in paths}


def create_repository(directory: Path, name: str, seed: int, commits: int) -> Path:
    """Create (or recreate) the repository directory/name (no work tree checkout)."""
    path = directory / name
    if path.exists():
        subprocess.run(["rm", "-rf", str(path)], check=True)
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(path)], check=True)
    stream = build_history(name, seed, commits).stream()
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=stream, check=True)
    return path
