"""Public-inbox v2 archives for the tests: built with git directly in the documented
layout (``git/N.git`` bare epochs, one commit per message holding it as ``m``, a
removal holding ``d``), or with Debian's public-inbox tools when they are installed."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "inbox",
    "GIT_AUTHOR_EMAIL": "inbox@example.org",
    "GIT_COMMITTER_NAME": "inbox",
    "GIT_COMMITTER_EMAIL": "inbox@example.org",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


def _git(repo: Path, *arguments: str, stdin: bytes | None = None) -> str:
    completed = subprocess.run(
        ["git", f"--git-dir={repo}", *arguments],
        input=stdin,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return completed.stdout.decode().strip()


@dataclass
class GitInbox:
    """An inbox written with git plumbing, the way public-inbox writes v2 epochs."""

    root: Path

    def epoch(self, number: int) -> Path:
        repo = self.root / "git" / f"{number}.git"
        if not repo.exists():
            repo.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["git", "init", "--quiet", "--bare", "--initial-branch=master", str(repo)],
                check=True,
            )
        return repo

    def add(self, raw: bytes, *, epoch: int = 0, name: str = "m") -> str:
        """Commit ``raw`` as the epoch's next message (``name="d"``: a removal)."""
        repo = self.epoch(epoch)
        blob = _git(repo, "hash-object", "-w", "--stdin", stdin=raw)
        tree = _git(repo, "mktree", stdin=f"100644 blob {blob}\t{name}\n".encode())
        parent = (
            subprocess.run(
                [
                    "git",
                    f"--git-dir={repo}",
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    "refs/heads/master",
                ],
                capture_output=True,
                check=False,
            )
            .stdout.decode()
            .strip()
        )
        parents = ["-p", parent] if parent else []
        commit = _git(repo, "commit-tree", tree, *parents, "-m", "message")
        _git(repo, "update-ref", "refs/heads/master", commit)
        return commit

    def rewrite_last(self, epoch: int = 0) -> None:
        """Drop the epoch's last commit (as public-inbox-purge rewrites history)."""
        repo = self.epoch(epoch)
        _git(repo, "update-ref", "refs/heads/master", "refs/heads/master~1")
        _git(repo, "reflog", "expire", "--expire=now", "--all")
        _git(repo, "gc", "--quiet", "--prune=now")


def public_inbox_available() -> bool:
    return bool(shutil.which("public-inbox-init") and shutil.which("public-inbox-mda"))


@dataclass
class PublicInbox:
    """An inbox made by public-inbox-init -V2 and fed by public-inbox-mda."""

    home: Path
    address: str = "list@example.org"

    @property
    def root(self) -> Path:
        return self.home / "inbox"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.home),
            "PI_CONFIG": str(self.home / "pi_config"),
            "ORIGINAL_RECIPIENT": self.address,
        }

    def init(self) -> "PublicInbox":
        subprocess.run(
            [
                "public-inbox-init", "-V2", "-L", "basic", "test", str(self.root),
                "http://127.0.0.1/test", self.address,
            ],
            env=self.environment(),
            capture_output=True,
            check=True,
        )  # fmt: skip
        subprocess.run(
            ["git", "config", "-f", str(self.home / "pi_config"),
             "publicinboxmda.spamcheck", "none"],
            check=True,
        )  # fmt: skip
        return self

    def deliver(self, raw: bytes) -> None:
        subprocess.run(
            ["public-inbox-mda", "--no-precheck"],
            input=raw,
            env=self.environment(),
            capture_output=True,
            check=True,
        )
