"""List mail generated from a scratch git repository, as a list would deliver it.

The repository has a base commit on ``main`` and one branch per submission: a
three-patch series (``v1``) and its second version (``v2``), a single patch (``typo``),
a long series used to page through lists (``bulk``) and a branch offered by a pull
request (``feature``). Dates and identities are fixed, so every commit id is the same
on every run; Message-IDs are rewritten to names of our own because git derives them
from the wall clock.
"""

import email.utils
import os
import re
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

LIST_ID = "e2e.example.org"
LIST_ADDRESS = "e2e@example.org"
BASE_DATE = 1_704_110_400  # 2024-01-01 12:00:00 UTC
BULK_PATCHES = 26

SERIES_AUTHOR = ("Sam Sender", "sam@example.org")
SINGLE_AUTHOR = ("Alice User", "alice@example.org")
PULL_AUTHOR = ("Pat Puller", "pat@example.org")
DEPENDENT_AUTHOR = ("Dora Dependent", "dora@example.org")
REVIEWER = ("Rita Reviewer", "rita@example.org")
MAINTAINER = ("Mark Maintainer", "maint@example.org")

REVIEWED_BY = f"Reviewed-by: {REVIEWER[0]} <{REVIEWER[1]}>"
ACKED_BY = f"Acked-by: {MAINTAINER[0]} <{MAINTAINER[1]}>"
MESSAGE_ID_RE = re.compile(r"^Message-I[Dd]: (<[^>]+>)", re.MULTILINE)


@dataclass
class Mail:
    """One message as bytes, with the Message-ID it carries."""

    label: str
    msgid: str
    raw: bytes


@dataclass
class Submission:
    """The mails of one submission (a cover letter first when there is one)."""

    mails: list[Mail]
    commits: list[str] = field(default_factory=list)

    @property
    def msgids(self) -> list[str]:
        return [mail.msgid for mail in self.mails]


class ScratchRepo:
    """A git repository in ``path`` whose commits carry fixed dates and authors."""

    def __init__(self, path: Path, home: Path) -> None:
        self.path = path
        self.home = home
        self.clock = 0

    def environment(self, author: tuple[str, str] = SERIES_AUTHOR) -> dict[str, str]:
        date = f"@{BASE_DATE + 60 * self.clock} +0000"
        return dict(
            os.environ,
            HOME=str(self.home),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME=author[0],
            GIT_AUTHOR_EMAIL=author[1],
            GIT_AUTHOR_DATE=date,
            GIT_COMMITTER_NAME=author[0],
            GIT_COMMITTER_EMAIL=author[1],
            GIT_COMMITTER_DATE=date,
        )

    def git(self, *arguments: str, author: tuple[str, str] = SERIES_AUTHOR) -> str:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=self.path,
            env=self.environment(author),
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"git {' '.join(arguments)} failed:\n{completed.stderr}")
        return completed.stdout

    def commit(self, files: dict[str, str], message: str, **kwargs) -> str:
        """Write the files, commit them one minute after the previous commit."""
        self.clock += 1
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            self.git("add", name)
        self.git("commit", "-q", "-m", message, **kwargs)
        return self.git("rev-parse", "HEAD").strip()

    def branch_from_main(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name, "main")

    def tree(self, revision: str) -> str:
        return self.git("rev-parse", f"{revision}^{{tree}}").strip()

    def format_patch(self, revisions: str, *options: str) -> list[str]:
        """The messages ``git format-patch`` writes for ``revisions``, as text."""
        output = self.git(
            "format-patch",
            "--stdout",
            "--thread",
            f"--to={LIST_ADDRESS}",
            f"--add-header=List-Id: <{LIST_ID}>",
            *options,
            revisions,
        )
        return split_mbox(output)


def split_mbox(text: str) -> list[str]:
    """The messages of ``git format-patch --stdout`` output, without their From lines."""
    messages = re.split(r"^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n", text, flags=re.M)
    return [message for message in messages if message.strip()]


def rename_message_ids(messages: list[str], prefix: str) -> list[Mail]:
    """Give each message the Message-ID ``<prefix-N@e2e.example.org>`` everywhere it
    appears (its own header, and In-Reply-To/References of the others)."""
    generated = [MESSAGE_ID_RE.search(message).group(1) for message in messages]
    renamed = [f"<{prefix}-{index}@{LIST_ID}>" for index in range(len(messages))]
    mails = []
    for index, message in enumerate(messages):
        for old, new in zip(generated, renamed, strict=True):
            message = message.replace(old, new)
        mails.append(Mail(f"{prefix}-{index}", renamed[index], message.encode()))
    return mails


def fill_cover_letter(message: str, subject: str, blurb: str) -> str:
    return message.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", blurb)


def reply(to: Mail, *, msgid: str, sender: tuple[str, str], text: str, minutes: int) -> Mail:
    """A reply to ``to`` quoting nothing, threaded by In-Reply-To and References."""
    original = email.message_from_bytes(to.raw)
    message = EmailMessage()
    message["From"] = email.utils.formataddr(sender)
    message["To"] = LIST_ADDRESS
    message["Subject"] = "Re: " + " ".join(str(original["Subject"]).split())
    message["Date"] = email.utils.formatdate(BASE_DATE + 60 * minutes, usegmt=True)
    message["Message-ID"] = msgid
    message["In-Reply-To"] = to.msgid
    message["References"] = " ".join(filter(None, [original["References"], to.msgid]))
    message["List-Id"] = f"<{LIST_ID}>"
    message.set_content(text)
    return Mail(msgid.strip("<>"), msgid, bytes(message))


FROB_C = """\
#include <stdio.h>

int frob(int value)
{
\treturn value * 2;
}
"""


@dataclass
class MailSet:
    """Everything the tier ingests, in the order a list would deliver it."""

    repo: ScratchRepo
    bare_remote: Path
    series_v1: Submission
    series_v2: Submission
    single: Submission
    dependent: Submission
    bulk: Submission
    pull: Mail
    review_reply: Mail
    ack_reply: Mail

    def delivery_order(self) -> list[Mail]:
        return [
            *self.series_v1.mails,
            self.review_reply,
            *self.single.mails,
            self.ack_reply,
            *self.dependent.mails,
            *self.series_v2.mails,
            self.pull,
        ]


def build_mail_set(workdir: Path) -> MailSet:
    home = workdir / "git-home"
    home.mkdir()
    repo = ScratchRepo(workdir / "scratch", home)
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.commit(
        {"README": "Frobnicator\n===========\n\nIt frobs teh values.\n", "frob.c": FROB_C},
        "Initial import",
    )
    series_v1 = _series(repo, "v1", version_options=(), counter_name="count")
    series_v2 = _series(
        repo,
        "v2",
        version_options=("-v2", f"--in-reply-to={series_v1.msgids[0]}"),
        counter_name="frob_count",
    )
    single = _single_patch(repo)
    dependent = _dependent_series(repo, depends_on=single.msgids[0])
    bulk = _bulk_series(repo)
    bare_remote = workdir / "remote.git"
    pull = _pull_request(repo, bare_remote)
    review_reply = reply(
        series_v1.mails[1],
        msgid=f"<review-1@{LIST_ID}>",
        sender=REVIEWER,
        text=f"Looks right to me.\n\n{REVIEWED_BY}\n",
        minutes=100,
    )
    ack_reply = reply(
        single.mails[0],
        msgid=f"<ack-1@{LIST_ID}>",
        sender=MAINTAINER,
        text=f"Thanks for spotting it.\n\n{ACKED_BY}\n",
        minutes=101,
    )
    repo.git("checkout", "-q", "main")
    return MailSet(
        repo,
        bare_remote,
        series_v1,
        series_v2,
        single,
        dependent,
        bulk,
        pull,
        review_reply,
        ack_reply,
    )


def _series(
    repo: ScratchRepo, version: str, *, version_options: tuple[str, ...], counter_name: str
) -> Submission:
    repo.branch_from_main(f"series-{version}")
    commits = [
        repo.commit(
            {"frob.c": FROB_C.replace("int frob", f"static int {counter_name};\n\nint frob")},
            "frob: add a counter\n\nCount how many values were frobbed.\n\n"
            f"Signed-off-by: {SERIES_AUTHOR[0]} <{SERIES_AUTHOR[1]}>",
        ),
        repo.commit(
            {
                "frob.c": FROB_C.replace(
                    "int frob", f"static int {counter_name};\n\nint frob"
                ).replace("\treturn", f"\t{counter_name}++;\n\treturn")
            },
            f"frob: count each call\n\nSigned-off-by: {SERIES_AUTHOR[0]} <{SERIES_AUTHOR[1]}>",
        ),
        repo.commit(
            {"docs/counter.txt": f"The frobnicator counts its calls in {counter_name}.\n"},
            "docs: describe the counter\n\n"
            f"Signed-off-by: {SERIES_AUTHOR[0]} <{SERIES_AUTHOR[1]}>",
        ),
    ]
    messages = repo.format_patch("main..HEAD", "--cover-letter", *version_options)
    messages[0] = fill_cover_letter(
        messages[0],
        "frob: count the frobbed values",
        f"This series ({version}) adds a counter to the frobnicator.",
    )
    return Submission(rename_message_ids(messages, f"series-{version}"), commits)


def _single_patch(repo: ScratchRepo) -> Submission:
    repo.branch_from_main("typo")
    commit = repo.commit(
        {"README": "Frobnicator\n===========\n\nIt frobs the values.\n"},
        f"README: fix a typo\n\nSigned-off-by: {SINGLE_AUTHOR[0]} <{SINGLE_AUTHOR[1]}>",
        author=SINGLE_AUTHOR,
    )
    messages = repo.format_patch("main..HEAD")
    return Submission(rename_message_ids(messages, "single"), [commit])


def _dependent_series(repo: ScratchRepo, *, depends_on: str) -> Submission:
    """A one-patch series on top of the single patch, saying so with ``Depends-on:``."""
    repo.git("checkout", "-q", "-b", "dependent", "typo")
    commit = repo.commit(
        {"README": "Frobnicator\n===========\n\nIt frobs the values, and counts them.\n"},
        "README: mention the counter\n\n"
        f"Signed-off-by: {DEPENDENT_AUTHOR[0]} <{DEPENDENT_AUTHOR[1]}>",
        author=DEPENDENT_AUTHOR,
    )
    messages = repo.format_patch("typo..HEAD", "--cover-letter")
    messages[0] = fill_cover_letter(
        messages[0], "README: describe the counter", f"Depends-on: {depends_on.strip('<>')}"
    )
    return Submission(rename_message_ids(messages, "dependent"), [commit])


def _bulk_series(repo: ScratchRepo) -> Submission:
    repo.branch_from_main("bulk")
    commits = [
        repo.commit(
            {f"bulk/file-{number:02d}.txt": f"file {number}\n"},
            f"bulk: add file {number:02d}\n\n"
            f"Signed-off-by: {SERIES_AUTHOR[0]} <{SERIES_AUTHOR[1]}>",
        )
        for number in range(1, BULK_PATCHES + 1)
    ]
    messages = repo.format_patch("main..HEAD")
    return Submission(rename_message_ids(messages, "bulk"), commits)


def _pull_request(repo: ScratchRepo, bare_remote: Path) -> Mail:
    repo.branch_from_main("feature")
    repo.commit({"knob.c": "int knob = 1;\n"}, "knob: add a knob", author=PULL_AUTHOR)
    subprocess.run(
        ["git", "init", "-q", "--bare", str(bare_remote)], check=True, capture_output=True
    )
    repo.git("push", "-q", str(bare_remote), "feature")
    body = repo.git("request-pull", "main", f"file://{bare_remote}", "feature", author=PULL_AUTHOR)
    message = EmailMessage()
    message["From"] = email.utils.formataddr(PULL_AUTHOR)
    message["To"] = LIST_ADDRESS
    message["Subject"] = "[GIT PULL] knob: add a knob"
    message["Date"] = email.utils.formatdate(BASE_DATE + 60 * 200, usegmt=True)
    message["Message-ID"] = f"<pull-1@{LIST_ID}>"
    message["List-Id"] = f"<{LIST_ID}>"
    message.set_content(body)
    return Mail("pull-1", f"<pull-1@{LIST_ID}>", bytes(message))
