"""Mail kept in files: the quarantine's spool directory, for when the database is down.

Each kept mail is two files named after a hash of its list id and bytes: ``<hash>.json``
(Message-ID, list id, error, time) written first, then ``<hash>.eml`` (the mail as
delivered). Both are written atomically (a temporary file, fsync, rename, fsync of the
directory), so a crash leaves the old state or the new one, never half a mail. The same
mail delivered again while the database is still down (an MTA retrying) replaces its
own files instead of adding copies.

Whoever takes a mail out (the pick-up after a successful delivery, ingestd, ``quarantine
retry``) holds an exclusive lock on its ``.eml`` file while storing it, and removes it
once it is stored or moved into the quarantine table. The directory is made group-
writable and set-group-id, so that the MTA's delivery user and the ingestd user can
share it through a group. Nothing here uses Django.
"""

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import secrets
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAIL_SUFFIX = ".eml"
META_SUFFIX = ".json"
LEGACY_ERROR_SUFFIX = ".error"  # what the first versions wrote beside a mail
TEMPORARY_PREFIX = ".tmp-"
PICKUP_LOCK = ".pickup.lock"
DIRECTORY_MODE = 0o2770
FILE_MODE = 0o660
# A temporary file this old belongs to a writer that died.
ABANDONED_SECONDS = 3600


@dataclass
class SpooledMail:
    path: Path  # the .eml file
    raw: bytes
    msgid: str
    list_id: str
    error: str
    received: str  # ISO 8601, server time


def ensure_directory(path: Path, mode: int = DIRECTORY_MODE) -> None:
    """Make ``path`` and its missing parents with ``mode``.

    When root makes them (an administrator running a command), they are given to the
    owner and group of the first existing parent, so that the service user who owns
    the data directory can still write there.
    """
    missing = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        current = current.parent
    owner = current.stat()
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir()
            os.chmod(directory, mode)
            if os.geteuid() == 0:
                os.chown(directory, owner.st_uid, owner.st_gid)


def atomic_write(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` so that it holds either its old content or all of it."""
    directory = path.parent
    temporary = directory / f"{TEMPORARY_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(descriptor, mode)  # whatever the umask
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def mail_name(raw: bytes, list_id: str) -> str:
    return hashlib.sha256(list_id.encode() + b"\0" + raw).hexdigest()[:40]


def keep(directory: Path, raw: bytes, *, msgid: str, list_id: str, error: str) -> Path:
    """Write a mail to the spool directory; the path of its ``.eml`` file. OSError when
    the directory cannot be made or written."""
    ensure_directory(directory)
    stem = mail_name(raw, list_id)
    received = datetime.datetime.now().isoformat(timespec="seconds")
    meta = {"msgid": msgid, "list_id": list_id, "error": error, "received": received}
    atomic_write(directory / f"{stem}{META_SUFFIX}", json.dumps(meta).encode())
    path = directory / f"{stem}{MAIL_SUFFIX}"
    atomic_write(path, raw)
    return path


def mail_files(directory: Path) -> list[Path]:
    """The kept mails, oldest first (none when the directory is missing or unreadable)."""
    try:
        return _mail_files(directory)
    except OSError:
        return []


def _mail_files(directory: Path) -> list[Path]:
    entries = []
    for entry in os.scandir(directory):
        if entry.name.endswith(MAIL_SUFFIX) and not entry.name.startswith("."):
            with contextlib.suppress(FileNotFoundError):  # taken meanwhile
                entries.append((entry.stat().st_mtime, Path(entry.path)))
    return [path for _, path in sorted(entries)]


def count(directory: Path) -> int | None:
    """How many mails are kept: 0 without a directory, None when it cannot be read."""
    try:
        return len(_mail_files(directory))
    except FileNotFoundError:
        return 0
    except OSError:
        return None


@contextlib.contextmanager
def taken(path: Path) -> Iterator[SpooledMail | None]:
    """The mail of ``path``, locked against other takers while the block runs; None when
    another process holds it or it is gone already. ``remove`` it inside the block once
    it is stored."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        yield None
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield None
            return
        if os.fstat(descriptor).st_nlink == 0:
            yield None  # taken, stored and removed by another process meanwhile
            return
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            raw = stream.read()
        yield _with_meta(path, raw)
    finally:
        os.close(descriptor)


def _with_meta(path: Path, raw: bytes) -> SpooledMail:
    meta: dict = {}
    with contextlib.suppress(OSError, ValueError):
        meta = json.loads(path.with_suffix(META_SUFFIX).read_text())
    if not isinstance(meta, dict):
        meta = {}
    error = str(meta.get("error", ""))
    legacy = path.with_suffix(LEGACY_ERROR_SUFFIX)
    if not error and legacy.exists():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            error = legacy.read_text().strip()
    received = str(meta.get("received", "")) or _modified(path)
    return SpooledMail(
        path=path,
        raw=raw,
        msgid=str(meta.get("msgid", "")),
        list_id=str(meta.get("list_id", "")),
        error=error or "kept in the spool directory",
        received=received,
    )


def _modified(path: Path) -> str:
    with contextlib.suppress(OSError):
        moment = datetime.datetime.fromtimestamp(path.stat().st_mtime)
        return moment.isoformat(timespec="seconds")
    return ""


def remove(path: Path) -> None:
    """Remove a kept mail (its ``.eml`` first: a lone ``.json`` is never read)."""
    path.unlink(missing_ok=True)
    for suffix in (META_SUFFIX, LEGACY_ERROR_SUFFIX):
        with contextlib.suppress(OSError):
            path.with_suffix(suffix).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _sync_directory(path.parent)


def remove_abandoned(directory: Path) -> None:
    """Temporary files of writers that died, and metadata whose mail is gone."""
    cutoff = time.time() - ABANDONED_SECONDS
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            old = entry.stat().st_mtime < cutoff
            orphan = (
                entry.name.endswith((META_SUFFIX, LEGACY_ERROR_SUFFIX))
                and not (directory / entry.name).with_suffix(MAIL_SUFFIX).exists()
            )
            if old and (entry.name.startswith(TEMPORARY_PREFIX) or orphan):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


@contextlib.contextmanager
def pickup_lock(directory: Path) -> Iterator[bool]:
    """Whether this process is the one picking mail up: False when another one holds the
    lock. Without a lock file to hold (no directory, or not ours to write), True: the
    lock only saves work, since each mail is taken under its own lock and storing one
    twice finds a duplicate."""
    try:
        descriptor = os.open(directory / PICKUP_LOCK, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError:
        yield True
        return
    try:
        with contextlib.suppress(OSError):
            if stat.S_IMODE(os.fstat(descriptor).st_mode) != FILE_MODE:
                os.fchmod(descriptor, FILE_MODE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
