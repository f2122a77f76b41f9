"""Whole corpora through the ingest commands: Patchwork's odd mails and the dev-list archive.

The dev-list archive (3,082 mails) must give exactly what its manifest and Patchwork's
own import give: the kind of every mail, the target of every reply and the series of
every patch, in archive order and in shuffled orders.
"""

import io
import json
import lzma
import random
import re
from collections import defaultdict

import pytest
from django.core.management import call_command

from covers.models import Cover, CoverComment
from ingest.archives import Archive
from ingest.models import FailedMail, UnattachedMail
from ingest.services import Status, ingest_mail
from patches.models import Patch, PatchComment
from series.models import Series
from tests.conftest import shared_path
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LIST_ID = "dev.example.org"
TESTDATA = ("corpus", "patchwork-testdata")
MBOXRD_FROM = re.compile(rb"^>*From ")


def sample_files(directory: str) -> list[str]:
    try:
        return sorted(path.name for path in shared_path(*TESTDATA, directory).iterdir())
    except pytest.skip.Exception:
        return []


def with_msgid(raw: bytes, name: str) -> bytes:
    """Patchwork's tests give a Message-Id to sample mails that have none."""
    if re.search(rb"^message-id:", raw, re.IGNORECASE | re.MULTILINE):
        return raw
    return f"Message-Id: <{name}@testdata.example.org>\n".encode() + raw


@pytest.fixture
def project():
    return ProjectFactory(listid=LIST_ID, linkname="dev", listemail="dev@example.org")


@pytest.mark.parametrize("name", sample_files("mail"))
def test_patchwork_sample_mails_are_stored(project, name):
    raw = with_msgid(shared_path(*TESTDATA, "mail", name).read_bytes(), name)

    report = ingest_mail(raw, list_id=LIST_ID)

    if name == "0020-multipart-comment.mbox":
        assert report.kind in ("waiting", "dropped")  # a reply to a mail not stored here
    else:
        assert (report.status, report.kind) == (Status.STORED, "patch"), report.reason


@pytest.mark.parametrize("name", sample_files("fuzz"))
def test_fuzzed_mails_have_a_defined_outcome(project, name):
    raw = shared_path(*TESTDATA, "fuzz", name).read_bytes()

    call_command("parsemail", "--list-id", LIST_ID, stdin=io.BytesIO(raw))

    report = ingest_mail(raw, list_id=LIST_ID)
    assert report.status in (Status.STORED, Status.SKIPPED, Status.UNPARSEABLE)
    assert not FailedMail.objects.exists()


def manifest() -> dict:
    with lzma.open(shared_path("corpus", "dev-list.manifest.json.xz"), "rt") as stream:
        return json.load(stream)


def import_archive(path) -> dict:
    output = io.StringIO()
    call_command("parsearchive", "--json", str(path), stdout=output)
    return json.loads(output.getvalue())


def shuffled_mbox(tmp_path, seed: int):
    """The dev-list archive with its mails in a random order (mboxrd-escaped again)."""
    raws = list(Archive(shared_path("corpus", "dev-list.mbox.xz")).messages())
    random.Random(seed).shuffle(raws)
    path = tmp_path / f"shuffled-{seed}.mbox"
    with open(path, "wb") as stream:
        for raw in raws:
            stream.write(b"From mailer@example.org Thu Jan  1 00:00:00 1970\n")
            for line in raw.splitlines(keepends=True):
                stream.write(b">" + line if MBOXRD_FROM.match(line) else line)
            stream.write(b"\n")
    return path


def assert_matches_manifest(expected: dict) -> None:
    mails = expected["mails"]
    patches = dict(Patch.objects.values_list("msgid", "series_id"))
    covers = dict(Cover.objects.values_list("msgid", "series__id"))
    comment_targets = dict(PatchComment.objects.values_list("msgid", "patch__msgid"))
    comment_targets.update(CoverComment.objects.values_list("msgid", "cover__msgid"))

    wrong_kinds = []
    for mail in mails:
        stored_as = (
            "patch"
            if mail["msgid"] in patches
            else "cover"
            if mail["msgid"] in covers
            else "comment"
            if mail["msgid"] in comment_targets
            else "nothing"
        )
        wanted = {"patch": "patch", "pull": "patch", "cover": "cover", "other": "nothing"}.get(
            mail["kind"]
        )
        if mail["kind"] == "reply":
            wanted = "comment" if mail["target_kind"] in ("patch", "cover", "pull") else "nothing"
        if stored_as != wanted:
            wrong_kinds.append((mail["msgid"], mail["kind"], stored_as))
    assert wrong_kinds == []

    wrong_targets = [
        mail["msgid"]
        for mail in mails
        if mail["kind"] == "reply"
        and mail["target_kind"] in ("patch", "cover", "pull")
        and comment_targets[mail["msgid"]] != mail["target"]
    ]
    assert wrong_targets == []

    members: dict[int, set[str]] = defaultdict(set)
    for msgid, series_id in [*patches.items(), *covers.items()]:
        members[series_id].add(msgid)
    expected_groups = {
        frozenset([*posting["patches"], *([posting["cover"]] if posting["cover"] else [])])
        for posting in expected["series"]
    }
    expected_groups |= {frozenset([mail["msgid"]]) for mail in mails if mail["kind"] == "pull"}
    assert None not in members
    assert {frozenset(group) for group in members.values()} == expected_groups


def test_the_dev_list_archive_gives_the_manifest(project):
    expected = manifest()

    summary = import_archive(shared_path("corpus", "dev-list.mbox.xz"))

    # Patchwork's own import of this archive: 277 cover letters, 1,470 patches (35 of
    # them pull requests), 1,285 comments, 50 mails dropped, no error.
    assert {
        key: summary[key]
        for key in ("messages", "patches", "cover_letters", "comments", "dropped", "errors")
    } == {
        "messages": 3082,
        "patches": 1470,
        "cover_letters": 277,
        "comments": 1285,
        "dropped": 50,
        "errors": 0,
    }
    assert summary["waiting"] == 0
    assert_matches_manifest(expected)
    assert Series.objects.filter(received_total__lt=1).count() == 0
    assert not UnattachedMail.objects.filter(status="waiting").exists()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_shuffled_dev_list_archive_gives_the_same_result(project, tmp_path, seed):
    summary = import_archive(shuffled_mbox(tmp_path, seed))

    assert (summary["patches"], summary["cover_letters"], summary["comments"]) == (1470, 277, 1285)
    assert (summary["dropped"], summary["errors"], summary["waiting"]) == (50, 0, 0)
    assert_matches_manifest(manifest())
