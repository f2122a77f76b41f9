"""Running the real clients (git-pw, pwclient) as a user would, and reading their output."""

import csv
import io
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.server import VENV_BIN

CLIENT_TIMEOUT = 120


@dataclass
class Result:
    """What a client command printed, and how it exited."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return (
            f"$ {' '.join(self.command)}\nexit status {self.returncode}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )

    def csv_rows(self) -> list[dict[str, str]]:
        """Rows of a ``--format csv`` listing, keyed by column header."""
        return list(csv.DictReader(io.StringIO(self.stdout)))


def run(
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    stdin: str | None = None,
    expect_failure: bool = False,
) -> Result:
    completed = subprocess.run(
        command,
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        check=False,
    )
    result = Result(command, completed.returncode, completed.stdout, completed.stderr)
    if expect_failure:
        assert result.returncode != 0, f"expected a failure:\n{result.explain()}"
    else:
        assert result.returncode == 0, result.explain()
    return result


def client_environment(home: Path) -> dict[str, str]:
    """A user's environment: their own HOME, no pager, no proxy, C.UTF-8 text."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GIT_", "PW_", "PYTEST_"))
        and key.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    environment.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_PAGER="cat",
        PAGER="",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        NO_PROXY="127.0.0.1,localhost",
    )
    return environment


@dataclass
class GitPw:
    """git-pw with ``pw.*`` settings layered over the user's .gitconfig.

    The settings go through git's GIT_CONFIG_COUNT/KEY/VALUE variables, which git-pw
    reads back with ``git config pw.X`` exactly as if they were in .gitconfig.
    """

    home: Path
    settings: dict[str, str] = field(default_factory=dict)

    def __call__(self, *arguments: str, cwd: Path | None = None, **kwargs) -> Result:
        environment = client_environment(self.home)
        environment["GIT_CONFIG_COUNT"] = str(len(self.settings))
        for index, (key, value) in enumerate(self.settings.items()):
            environment[f"GIT_CONFIG_KEY_{index}"] = key
            environment[f"GIT_CONFIG_VALUE_{index}"] = value
        command = [str(VENV_BIN / "git-pw"), *arguments]
        return run(command, env=environment, cwd=cwd or self.home, **kwargs)


@dataclass
class PwClient:
    """pwclient reading the given .pwclientrc (``PWCLIENTRC``)."""

    home: Path
    rc_file: Path

    def __call__(self, *arguments: str, cwd: Path | None = None, **kwargs) -> Result:
        environment = client_environment(self.home)
        environment["PWCLIENTRC"] = str(self.rc_file)
        command = [str(VENV_BIN / "pwclient"), *arguments]
        return run(command, env=environment, cwd=cwd or self.home, **kwargs)


def git(*arguments: str, cwd: Path, home: Path) -> str:
    """Plain git in a user's checkout (for clones and reading back commits)."""
    command = ["git", *arguments]
    return run(command, env=client_environment(home), cwd=cwd).stdout
