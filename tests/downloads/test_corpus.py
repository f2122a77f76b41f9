"""Downloads of real-world mail: Patchwork's odd test mails and the dev-list corpus.

Every stored patch and cover letter must download (mbox, raw diff, web page) without an
error, and ``git mailinfo`` must read each mbox back: the author, the diff, and the
trailers that the corpus manifest says replies gave.
"""

import email
import email.policy
import io
import json
import lzma
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from covers.models import Cover
from downloads import links
from ingest.archives import Archive
from patches.models import Patch
from series.models import Series
from tests.conftest import shared_path
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TESTDATA = ("corpus", "patchwork-testdata")
LIST_ID = "dev.example.org"
# Enough of the dev-list corpus for series, covers, pull requests and ~80 trailer replies.
CORPUS_MAILS = 400


def mailinfo(mbox: bytes, workdir: Path) -> tuple[dict[str, str], str, str]:
    """What git am would take from one message: its fields, commit message and patch."""
    message_path, patch_path = workdir / "message", workdir / "patch"
    result = subprocess.run(
        ["git", "mailinfo", "-u", str(message_path), str(patch_path)],
        input=mbox,
        capture_output=True,
        check=True,
    )
    fields = dict(
        line.split(": ", 1) for line in result.stdout.decode().splitlines() if ": " in line
    )
    return (
        fields,
        message_path.read_text(encoding="utf-8", errors="replace"),
        patch_path.read_text(encoding="utf-8", errors="replace"),
    )


def check_submissions(client, linkname: str, workdir: Path, *, git_readable: bool = True) -> None:
    """Every patch and cover letter of the project downloads; git reads the patches back
    (fuzzed mail, whose stored headers are garbage, need only parse as mail)."""
    for patch in Patch.objects.filter(project__linkname=linkname):
        mbox_url = links.patch_mbox_url(None, linkname, patch.msgid)
        response = client.get(mbox_url)
        assert response.status_code == 200, patch.msgid
        message = email.message_from_bytes(response.content, policy=email.policy.default)
        assert message["X-Patchwork-Id"] == str(patch.id)
        if git_readable:
            _, _, diff = mailinfo(response.content, workdir)
            if patch.diff and patch.diff.isascii():
                assert patch.diff.strip() in diff, patch.msgid
        for url in (
            mbox_url.replace("mbox", "raw"),
            links.patch_web_url(None, linkname, patch.msgid),
        ):
            assert client.get(url).status_code == 200, url
    for cover in Cover.objects.filter(project__linkname=linkname):
        for url in (
            links.cover_mbox_url(None, linkname, cover.msgid),
            links.cover_web_url(None, linkname, cover.msgid),
        ):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("kind", ["mail", "fuzz"])
def test_patchwork_test_mails_download(client, tmp_path, kind):
    """Odd charsets, broken headers, binary diffs, pull requests: no download fails."""
    directory = shared_path(*TESTDATA, kind)
    ProjectFactory(linkname="odd", listid=LIST_ID, listemail=f"dev@{LIST_ID}")
    for path in sorted(directory.glob("*.mbox")):
        call_command("parsearchive", str(path), list_id=LIST_ID, verbosity=0)
    assert Patch.objects.exists()
    check_submissions(client, "odd", tmp_path, git_readable=kind == "mail")


def test_patchwork_series_archives_download_in_order(client, tmp_path):
    """Each series of Patchwork's series test archives downloads whole and in order."""
    directory = shared_path(*TESTDATA, "series")
    for index, path in enumerate(sorted(directory.glob("*.mbox"))):
        project = ProjectFactory(listid=f"series-{index}.example.org")
        call_command("parsearchive", str(path), list_id=project.listid, verbosity=0)
    assert Series.objects.exists()
    for series in Series.objects.prefetch_related("patches"):
        response = client.get(links.series_mbox_url(None, series.id))
        assert response.status_code == 200
        numbers = sorted((patch.number or 0, patch.id) for patch in series.patches.all())
        ids = [
            int(line.split(": ")[1])
            for line in response.content.decode().splitlines()
            if line.startswith("X-Patchwork-Id: ")
        ]
        assert ids == [patch_id for _, patch_id in numbers]


def first_corpus_mails(count: int) -> tuple[list[bytes], list[dict]]:
    archive = Archive(shared_path("corpus", "dev-list.mbox.xz"))
    with lzma.open(shared_path("corpus", "dev-list.manifest.json.xz"), "rt") as manifest:
        entries = json.load(manifest)["mails"][:count]
    mails = []
    for raw in archive.messages():
        mails.append(raw)
        if len(mails) == count:
            break
    return mails, entries


def test_dev_list_patches_carry_authors_and_review_trailers(client, tmp_path):
    """git mailinfo reads the patch mbox as the manifest says: author, and every
    trailer a reply gave."""
    mails, entries = first_corpus_mails(CORPUS_MAILS)
    ProjectFactory(linkname="dev", listid=LIST_ID, listemail=f"dev@{LIST_ID}")
    for raw in mails:
        call_command("parsemail", stdin=io.BytesIO(raw))
    given_trailers: dict[str, list[str]] = {}
    for entry in entries:
        if entry["kind"] == "reply" and entry.get("target_kind") == "patch":
            given_trailers.setdefault(entry["target"], []).extend(entry.get("trailers", []))
    patch_entries = [entry for entry in entries if entry["kind"] == "patch"]
    assert len(patch_entries) > 100
    for entry in patch_entries:
        response = client.get(links.patch_mbox_url(None, "dev", entry["msgid"]))
        assert response.status_code == 200, entry["msgid"]
        fields, message, _ = mailinfo(response.content, tmp_path)
        assert fields["Email"] == entry["author"].rsplit("<", 1)[1].rstrip(">")
        for trailer in given_trailers.get(entry["msgid"], []):
            assert trailer in message.splitlines(), (entry["msgid"], trailer)
    check_submissions(client, "dev", tmp_path)


# Patch 973 of the dev-list (an RFC patch with three trailer replies) as Patchwork 644cef7c
# serves /patch/973/mbox/ for it, byte for byte: the mail's headers copied verbatim (folded
# Received and List-* lines, its own MIME-Version after the generated one), the replies'
# trailers right after the commit message, the notes after "---", then the diff.
PATCH_973_THREAD = (
    "<20210724084730.1014138-1-stephen@that.guru>",
    "<20210724091009.GE86791@gmail.com>",
    "<20210724092702.GE6428@that.guru>",
    "<20210724095949.GB65676@gmail.com>",
    "<20210724172519.GF30360@offtopica.uk>",
)


def test_patch_mbox_is_patchworks_byte_for_byte(client):
    expected = (Path(__file__).parent / "data" / "patchwork-patch-973.mbox").read_bytes()
    ProjectFactory(linkname="dev", listid=LIST_ID, listemail="dev@example.org")
    thread = {}
    for raw in Archive(shared_path("corpus", "dev-list.mbox.xz")).messages():
        msgid = email.message_from_bytes(raw.split(b"\n\n", 1)[0])["Message-Id"]
        if msgid and msgid.strip() in PATCH_973_THREAD:
            thread[msgid.strip()] = raw
    for msgid in PATCH_973_THREAD:
        call_command("parsemail", stdin=io.BytesIO(thread[msgid]))
    patch = Patch.objects.get(msgid=PATCH_973_THREAD[0])

    response = client.get(links.patch_mbox_url(None, "dev", patch.msgid))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=RFC-tox-Add-missing-typing-stubs.patch"
    )
    assert response.content == expected.replace(
        b"X-Patchwork-Id: 973\n", f"X-Patchwork-Id: {patch.id}\n".encode()
    )
