"""The quarantine's spool directory (ingest.spool): atomic files, one copy per mail, one
taker at a time, a directory the service user keeps."""

import json
import os
import shutil
import stat
import threading

import pytest

from ingest import spool

RAW = b"From: a@example.org\nSubject: x\nMessage-Id: <s@x>\n\nbody\n"


def test_a_kept_mail_is_its_bytes_and_a_json_record_beside(tmp_path):
    path = spool.keep(tmp_path / "q", RAW, msgid="<s@x>", list_id="dev.example.org", error="E")

    assert path.read_bytes() == RAW
    meta = json.loads(path.with_suffix(".json").read_text())
    assert (meta["msgid"], meta["list_id"], meta["error"]) == ("<s@x>", "dev.example.org", "E")
    assert stat.S_IMODE(path.stat().st_mode) == spool.FILE_MODE
    assert stat.S_IMODE(path.parent.stat().st_mode) == spool.DIRECTORY_MODE
    assert sorted(entry.name for entry in path.parent.iterdir()) == sorted(
        [path.name, path.with_suffix(".json").name]
    )  # no temporary file left behind


def test_the_same_mail_kept_again_replaces_its_own_files(tmp_path):
    """An MTA retrying during an outage must not fill the directory with copies."""
    for attempt in range(3):
        spool.keep(tmp_path, RAW, msgid="<s@x>", list_id="", error=f"attempt {attempt}")
    spool.keep(tmp_path, RAW, msgid="<s@x>", list_id="other.example.org", error="other list")

    assert len(spool.mail_files(tmp_path)) == 2


def test_a_failed_write_leaves_the_old_content(tmp_path, monkeypatch):
    path = tmp_path / "mail.eml"
    spool.atomic_write(path, b"old")

    def failing_fsync(descriptor: int) -> None:
        raise OSError("EIO")

    monkeypatch.setattr(os, "fsync", failing_fsync)

    with pytest.raises(OSError, match="EIO"):
        spool.atomic_write(path, b"new")

    assert path.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["mail.eml"]


def test_a_mail_is_taken_by_one_process_at_a_time(tmp_path):
    path = spool.keep(tmp_path, RAW, msgid="<s@x>", list_id="", error="E")
    inside = threading.Event()
    release = threading.Event()
    seen = []

    def first_taker() -> None:
        with spool.taken(path) as mail:
            seen.append(mail.msgid)
            inside.set()
            release.wait(10)
            spool.remove(path)

    thread = threading.Thread(target=first_taker)
    thread.start()
    inside.wait(10)
    with spool.taken(path) as mail:
        seen.append(mail)  # locked by the first taker
    release.set()
    thread.join(10)
    with spool.taken(path) as mail:
        seen.append(mail)  # stored and removed meanwhile

    assert seen == ["<s@x>", None, None]
    assert spool.mail_files(tmp_path) == []
    assert list(tmp_path.glob("*.json")) == []


def test_a_taker_that_opened_the_file_before_it_was_removed_does_not_take_it(tmp_path):
    path = spool.keep(tmp_path, RAW, msgid="<s@x>", list_id="", error="E")
    descriptor = os.open(path, os.O_RDONLY)  # opened, not yet locked
    try:
        path.unlink()
        assert os.fstat(descriptor).st_nlink == 0
    finally:
        os.close(descriptor)
    with spool.taken(path) as mail:
        assert mail is None


def test_mail_kept_by_the_first_versions_is_read_with_its_error(tmp_path):
    (tmp_path / "20260101T000000-1-0.eml").write_bytes(RAW)
    (tmp_path / "20260101T000000-1-0.error").write_text("OperationalError: down\n")

    [path] = spool.mail_files(tmp_path)
    with spool.taken(path) as mail:
        assert (mail.raw, mail.error, mail.list_id) == (RAW, "OperationalError: down", "")


def test_counting_tells_a_missing_directory_from_an_unreadable_one(tmp_path):
    assert spool.count(tmp_path / "missing") == 0
    spool.keep(tmp_path, RAW, msgid="", list_id="", error="E")
    assert spool.count(tmp_path) == 1
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert spool.count(blocker) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands directories to another user")
def test_directories_root_makes_belong_to_the_owner_of_the_data_directory(tmp_path):
    """An administrator running a command as root must not lock the service user out."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.chown(data_dir, "nobody", "nogroup")

    spool.keep(data_dir / "quarantine" / "deep", RAW, msgid="", list_id="", error="E")

    for directory in (data_dir / "quarantine", data_dir / "quarantine" / "deep"):
        assert (directory.owner(), directory.group()) == ("nobody", "nogroup")


def test_abandoned_temporary_files_and_lone_records_are_removed(tmp_path):
    spool.keep(tmp_path, RAW, msgid="", list_id="", error="E")
    temporary = tmp_path / f"{spool.TEMPORARY_PREFIX}123-abcd"
    lone = tmp_path / "deadbeef.json"
    for path in (temporary, lone):
        path.write_text("x")
        os.utime(path, (1, 1))

    spool.remove_abandoned(tmp_path)

    assert not temporary.exists()
    assert not lone.exists()
    assert len(spool.mail_files(tmp_path)) == 1
