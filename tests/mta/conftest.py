"""The mta tier: mail delivered by a real postfix to an installed copy, on PostgreSQL.

It runs in the PostgreSQL pass of .ci/run, which installs Debian's postfix and
git-email when they are missing; anywhere else each test is skipped, saying why. It
installs the project with ``make install PREFIX=...`` once per session (about a
minute).
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.mta.site import POSTFIX, REPO_ROOT, SERVICE_USER, run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.mta)


def why_not() -> str | None:
    """Why the tier cannot run here, or None."""
    database_url = os.environ.get("DATABASE_URL", "")
    if urlsplit(database_url).scheme.lower() not in ("postgres", "postgresql", "pgsql"):
        return "the mta tier runs in the PostgreSQL pass of .ci/run (DATABASE_URL=postgres://...)"
    if os.geteuid() != 0:
        return "the mta tier runs as root: it starts postfix and delivers as user nobody"
    if not POSTFIX.exists():
        return "postfix is not installed (.ci/run installs Debian's package for this tier)"
    git_send_email = Path(run("git", "--exec-path").stdout.strip()) / "git-send-email"
    if not git_send_email.exists():
        return "git send-email is not installed (.ci/run installs Debian's git-email)"
    if shutil.which("runuser") is None or run("id", SERVICE_USER, check=False).returncode:
        return f"no runuser or no user {SERVICE_USER}"
    return None


@pytest.fixture(scope="session")
def installed_prefix() -> Iterator[Path]:
    """``make install PREFIX=...``: the documented installation for service users."""
    reason = why_not()
    if reason:
        pytest.skip(reason)
    # Not under pytest's directories, which only root may enter.
    base = Path(tempfile.mkdtemp(prefix="patchwork-prefix-"))
    base.chmod(0o755)
    try:
        prefix = base / "patchwork-api"
        run("make", "-C", str(REPO_ROOT), "install", f"PREFIX={prefix}")
        yield prefix
    finally:
        shutil.rmtree(base, ignore_errors=True)
