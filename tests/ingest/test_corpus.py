"""Whole corpora through the ingest commands: Patchwork's odd mails and the dev-list archive.

The dev-list archive (3,082 mails) must give exactly what its manifest and Patchwork's
own import give: the kind of every mail, the target of every reply and the series of
every patch, in archive order and in shuffled orders.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection

from ingest.models import FailedMail, UnattachedMail
from ingest.services import Status, ingest_mail
from series.models import Series
from tests.conftest import shared_path
from tests.factories import ProjectFactory
from tests.ingest.manifest import (
    corpus_mails,
    expected_snapshot,
    manifest,
    shuffled,
    snapshot,
    write_mbox,
)

pytestmark = pytest.mark.django_db

LIST_ID = "dev.example.org"
TESTDATA = ("corpus", "patchwork-testdata")


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


def import_archive(path) -> dict:
    output = io.StringIO()
    call_command("parsearchive", "--json", str(path), stdout=output)
    return json.loads(output.getvalue())


# Thousands of mails in one test transaction would be thousands of savepoints, which
# PostgreSQL slows down on (subtransaction overflow): these tests commit for real.
WHOLE_ARCHIVE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@WHOLE_ARCHIVE
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
    assert snapshot(project) == expected_snapshot(expected)
    # The import's prepared statements (PostgreSQL) end with it.
    assert "server_side_binding" not in connection.settings_dict["OPTIONS"]
    assert Series.objects.filter(received_total__lt=1).count() == 0
    assert not UnattachedMail.objects.filter(status="waiting").exists()


@WHOLE_ARCHIVE
@pytest.mark.parametrize("seed", [1, 2])
def test_a_shuffled_dev_list_archive_gives_the_same_result(project, tmp_path, seed):
    path = write_mbox(tmp_path / "shuffled.mbox", shuffled(corpus_mails(), seed))

    summary = import_archive(path)

    assert (summary["patches"], summary["cover_letters"], summary["comments"]) == (1470, 277, 1285)
    assert (summary["dropped"], summary["errors"], summary["waiting"]) == (50, 0, 0)
    assert snapshot(project) == expected_snapshot(manifest())
