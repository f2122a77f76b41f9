"""End to end: mails from ``git format-patch`` are ingested, downloaded and applied by ``git am``.

A scratch repository gets a base commit and three commits (one by an author with a
non-ASCII name); ``git format-patch --cover-letter --thread`` turns them into mails, a
reviewer replies to the first patch with a ``Reviewed-by:``, and ``parsemail`` stores all
of them.  The patch mbox, the ``?series=*`` mbox and the series mbox, fetched through the
Django test client, must each apply with ``git am`` onto a fresh clone and give back the
original trees, authors and subjects, with the reviewer's trailer in the commit message.
"""

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from downloads import links
from patches.models import Patch, PatchComment
from series.models import Series
from tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

LIST_ID = "x.example.org"
REVIEW_TRAILER = "Reviewed-by: Rita Reviewer <rita@example.org>"
COMMITS = [
    # (author name, author e-mail, subject, file, content)
    ("Ann Author", "ann@example.org", "README: say hello", "README", "hello\nworld\n"),
    ("Zoë Ångström", "zoe@example.org", "menu: add the café", "menu.txt", "café crème\n"),
    ("Ann Author", "ann@example.org", "menu: add tea", "menu.txt", "café crème\nthé\n"),
]


@dataclass
class SourceRepository:
    path: Path
    base: str
    commits: list[str]
    mails: list[bytes]  # cover letter, then the patches in order


def git_env(home: Path) -> dict[str, str]:
    """A reproducible git: no user or system configuration, fixed dates."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": "2024-03-01T10:00:00+0000",
        "GIT_COMMITTER_DATE": "2024-03-01T10:00:00+0000",
        "GIT_COMMITTER_NAME": "Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.org",
        "LANG": "C.UTF-8",
    }


def git(repository: Path, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["git", "-C", str(repository), *args],
        env=env,
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8").strip()


def reply_mail(patch_mail: bytes) -> bytes:
    """A reviewer's reply to a patch mail, giving a Reviewed-by."""
    headers = patch_mail.split(b"\n\n", 1)[0].decode()
    fields = dict(
        line.split(": ", 1) for line in headers.splitlines() if ": " in line and line[0] != " "
    )
    return (
        "From: Rita Reviewer <rita@example.org>\n"
        f"To: dev@{LIST_ID}\n"
        f"Subject: Re: {fields['Subject']}\n"
        "Date: Sat, 02 Mar 2024 09:00:00 +0000\n"
        "Message-Id: <review-1@example.org>\n"
        f"In-Reply-To: {fields['Message-Id']}\n"
        f"References: {fields['Message-Id']}\n"
        f"List-Id: <{LIST_ID}>\n"
        "\n"
        "> README: say hello\n"
        "\n"
        "Looks right to me.\n"
        "\n"
        f"{REVIEW_TRAILER}\n"
    ).encode()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> SourceRepository:
    """The scratch repository and its mails, made once for the module."""
    tmp_path = tmp_path_factory.mktemp("git-am-source")
    env = git_env(tmp_path)
    repository = tmp_path / "source"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main", env=env)
    git(repository, "config", "user.name", "Committer", env=env)
    git(repository, "config", "user.email", "committer@example.org", env=env)
    (repository / "README").write_text("hello\n")
    git(repository, "add", "README", env=env)
    git(repository, "commit", "-q", "-m", "base", env=env)
    base = git(repository, "rev-parse", "HEAD", env=env)
    commits = []
    for name, address, subject, filename, content in COMMITS:
        (repository / filename).write_text(content, encoding="utf-8")
        git(repository, "add", filename, env=env)
        message = f"{subject}\n\nWhy: {subject}.\n\nSigned-off-by: {name} <{address}>\n"
        git(repository, "commit", "-q", f"--author={name} <{address}>", "-m", message, env=env)
        commits.append(git(repository, "rev-parse", "HEAD", env=env))
    outbox = tmp_path / "outbox"
    git(
        repository,
        "format-patch",
        "-q",
        "--cover-letter",
        "--thread",
        f"--add-header=List-Id: <{LIST_ID}>",
        "-o",
        str(outbox),
        f"{base}..HEAD",
        env=env,
    )
    mails = [path.read_bytes() for path in sorted(outbox.iterdir())]
    assert len(mails) == 4
    return SourceRepository(repository, base, commits, mails)


def ingest(mail: bytes) -> None:
    call_command("parsemail", stdin=io.BytesIO(mail))


@pytest.fixture
def ingested(source: SourceRepository) -> SourceRepository:
    """The mails stored by parsemail: a cover letter, three patches, one review."""
    ProjectFactory(linkname="x", listid=LIST_ID, listemail=f"dev@{LIST_ID}")
    for mail in [*source.mails, reply_mail(source.mails[1])]:
        ingest(mail)
    assert Patch.objects.count() == 3
    assert PatchComment.objects.get().patch == Patch.objects.get(number=1)
    return source


def apply_mbox(tmp_path: Path, source: SourceRepository, mbox: bytes, onto: str) -> Path:
    """A fresh clone checked out at ``onto`` with the mbox applied by git am."""
    env = git_env(tmp_path)
    clone = tmp_path / f"clone-{len(list(tmp_path.glob('clone-*')))}"
    subprocess.run(["git", "clone", "-q", str(source.path), str(clone)], env=env, check=True)
    git(clone, "checkout", "-q", onto, env=env)
    mbox_path = clone.parent / f"{clone.name}.mbox"
    mbox_path.write_bytes(mbox)
    git(clone, "am", "-q", str(mbox_path), env=env)
    return clone


def tree(repository: Path, revision: str, env: dict[str, str]) -> str:
    return git(repository, "rev-parse", f"{revision}^{{tree}}", env=env)


def assert_applied_like(
    tmp_path: Path, clone: Path, source: SourceRepository, commit_indexes: list[int]
) -> None:
    """The clone's last commits match the source commits: tree, author, subject."""
    env = git_env(tmp_path)
    count = len(commit_indexes)
    assert tree(clone, "HEAD", env) == tree(source.path, source.commits[commit_indexes[-1]], env)
    fields = "%an <%ae>%x00%s"
    applied = git(clone, "log", f"-{count}", "--reverse", f"--format={fields}", env=env)
    expected = [
        git(source.path, "log", "-1", f"--format={fields}", source.commits[index], env=env)
        for index in commit_indexes
    ]
    assert applied.splitlines() == expected


def message_of(tmp_path: Path, clone: Path, revision: str) -> str:
    return git(clone, "log", "-1", "--format=%B", revision, env=git_env(tmp_path))


def test_patch_mbox_applies_with_the_review_trailer(client, tmp_path, ingested):
    first = Patch.objects.get(number=1)
    response = client.get(links.patch_mbox_url(None, "x", first.msgid))
    assert response.status_code == 200
    clone = apply_mbox(tmp_path, ingested, response.content, ingested.base)
    assert_applied_like(tmp_path, clone, ingested, [0])
    message = message_of(tmp_path, clone, "HEAD")
    assert message.endswith(f"Signed-off-by: Ann Author <ann@example.org>\n{REVIEW_TRAILER}")


def test_patch_mbox_with_series_applies_the_earlier_patches_too(client, tmp_path, ingested):
    last = Patch.objects.get(number=3)
    response = client.get(links.patch_mbox_url(None, "x", last.msgid), {"series": "*"})
    assert response.status_code == 200
    clone = apply_mbox(tmp_path, ingested, response.content, ingested.base)
    assert_applied_like(tmp_path, clone, ingested, [0, 1, 2])
    assert REVIEW_TRAILER in message_of(tmp_path, clone, "HEAD~2")
    assert REVIEW_TRAILER not in message_of(tmp_path, clone, "HEAD")


def test_series_mbox_applies_the_whole_series(client, tmp_path, ingested):
    series = Series.objects.get()
    response = client.get(links.series_mbox_url(None, series.id))
    assert response.status_code == 200
    clone = apply_mbox(tmp_path, ingested, response.content, ingested.base)
    assert_applied_like(tmp_path, clone, ingested, [0, 1, 2])
    assert REVIEW_TRAILER in message_of(tmp_path, clone, "HEAD~2")
