"""Reading a public-inbox v2 archive with git (no database).

A v2 inbox is a directory whose ``git/0.git``, ``git/1.git``… are bare repositories,
the "epochs", each holding a linear history on its default branch where every commit
adds one message as the file ``m`` (a commit that removes a message holds ``d``
instead). Served over HTTP (lore.kernel.org), epoch N is cloned from ``URL/N``.
"""

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

GIT_TIMEOUT_SECONDS = 3600


class ArchiveError(RuntimeError):
    """The archive cannot be read (the message says why)."""


def git(repo: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        ["git", f"--git-dir={repo}", *arguments],
        capture_output=True,
        timeout=GIT_TIMEOUT_SECONDS,
        check=False,
    )
    if check and completed.returncode != 0:
        error = completed.stderr.decode(errors="replace").strip()
        raise ArchiveError(f"git {' '.join(arguments)} in {repo}: {error}")
    return completed


def is_url(source: str) -> bool:
    return "://" in source


def local_epochs(root: Path) -> list[tuple[int, Path]]:
    """The epochs of an inbox directory, in order (``git/0.git``, ``git/1.git``…)."""
    directory = root / "git"
    if not directory.is_dir():
        raise ArchiveError(f"{root}: not a public-inbox v2 archive (no git/ directory)")
    epochs = []
    for path in directory.glob("*.git"):
        if path.stem.isdigit():
            epochs.append((int(path.stem), path))
    if not epochs:
        raise ArchiveError(f"{root}: no epoch (git/0.git...)")
    return sorted(epochs)


def mirror_epochs(url: str, cache: Path) -> list[tuple[int, Path]]:
    """Clone or update local mirrors of a remote inbox's epochs, until an epoch is
    missing; the mirrors are kept in ``cache`` (a directory per URL)."""
    url = url.rstrip("/")
    directory = cache / hashlib.sha256(url.encode()).hexdigest()[:16] / "git"
    directory.mkdir(parents=True, exist_ok=True)
    epochs = []
    number = 0
    while True:
        mirror = directory / f"{number}.git"
        if mirror.exists():
            git(mirror, "fetch", "--quiet", "--prune")
        elif not _clone(url, number, mirror):
            break
        epochs.append((number, mirror))
        number += 1
    if not epochs:
        raise ArchiveError(f"{url}: no epoch could be cloned ({url}/0 or {url}/git/0.git)")
    return epochs


def _clone(url: str, number: int, mirror: Path) -> bool:
    for candidate in (f"{url}/{number}", f"{url}/git/{number}.git"):
        completed = subprocess.run(
            ["git", "clone", "--mirror", "--quiet", candidate, str(mirror)],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode == 0:
            return True
    return False


def head(repo: Path) -> str | None:
    """The epoch's newest commit, None for an empty epoch."""
    completed = git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return completed.stdout.decode().strip() or None


def has_commit(repo: Path, commit: str) -> bool:
    return git(repo, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0


def commits_after(repo: Path, last: str | None) -> list[str]:
    """The commits after ``last`` (all of them without one), oldest first."""
    tip = head(repo)
    if tip is None:
        return []
    revisions = f"{last}..{tip}" if last else tip
    listed = git(repo, "rev-list", "--reverse", "--first-parent", revisions)
    return listed.stdout.decode().split()


def messages(repo: Path, commits: list[str]) -> Iterator[tuple[str, bytes | None]]:
    """``(commit, message)`` for each commit, in order; None for a commit without ``m``
    (a removal). One ``git cat-file --batch`` process reads them all."""
    if not commits:
        return
    process = subprocess.Popen(
        ["git", f"--git-dir={repo}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        for commit in commits:
            process.stdin.write(f"{commit}:m\n".encode())
            process.stdin.flush()
            header = process.stdout.readline().decode().split()
            if len(header) == 3 and header[1] == "blob":
                raw = process.stdout.read(int(header[2]))
                process.stdout.read(1)  # the newline after the object
                yield commit, raw
            else:  # "<name> missing": no m in this commit
                yield commit, None
    finally:
        process.stdin.close()
        process.kill()
        process.wait()
