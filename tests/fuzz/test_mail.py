"""Hypothesis over the mail parser and ``parsemail`` (tests/fuzz/mails.py): no parser
exception, no traceback, an exit status from the documented set, bounded time and
memory, and nothing lost — every mail answered 0 is stored, quarantined, or logged as
dropped, ignored, a duplicate or unparseable."""

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from covers.models import Cover, CoverComment
from ingest.models import FailedMail, UnattachedMail
from ingest.services import parse_raw, raw_msgid
from patches.models import Patch, PatchComment
from patchwork_api.validation import is_storable_text
from tests.e2e.server import MANAGE, Database, manage, server_environment
from tests.factories import ProjectFactory
from tests.fuzz.conftest import FUZZ_SEED, is_postgres
from tests.fuzz.mails import LIST_ID, mails

pytestmark = pytest.mark.skipif(not is_postgres(), reason="the fuzz tier runs on PostgreSQL")

# parsemail's documented exit statuses for list mail (README "Mail ingest"): 0 handled,
# 75 try again later (kept in the quarantine), 78 configuration error. Never 65.
ALLOWED_EXIT_STATUSES = {0, 75, 78}
PARSER_EXAMPLES = int(os.environ.get("FUZZ_MAIL_EXAMPLES") or 300)
STORE_EXAMPLES = max(1, PARSER_EXAMPLES // 2)
COMMAND_EXAMPLES = max(1, PARSER_EXAMPLES // 20)
# Per mail: seconds of parsing and storing, and memory the parser may take beyond the mail.
PARSE_SECONDS = 10.0
PARSE_MEMORY_BYTES = 64 * 1024 * 1024
COMMAND_SECONDS = 60
COMMAND_MEMORY_KIB = 400 * 1024
# What a log line of parsemail says for a mail it handled without storing it.
ACCOUNTED_WORDS = ("duplicate", "ignored", "dropped", "unparseable", "waiting", "quarantine")

FUZZ_SETTINGS = settings(
    deadline=None,  # time is asserted per mail below, with a bound meant for a busy machine
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,
    print_blob=True,
)


@seed(FUZZ_SEED)
@settings(FUZZ_SETTINGS, max_examples=PARSER_EXAMPLES)
@given(raw=mails())
def test_parser_never_raises_and_is_bounded(raw):
    """The pure parser turns any mail into a parsed mail or "unparseable": never an
    exception (which would send the mail to the quarantine), within bounded time and
    memory."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = parse_raw(raw)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.failure == "", outcome.failure
    assert elapsed < PARSE_SECONDS
    assert peak < PARSE_MEMORY_BYTES + 20 * len(raw)
    if outcome.mail is not None:
        assert "\x00" not in outcome.mail.content
        assert "\x00" not in (outcome.mail.diff or "")


class CapturedLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def parsemail_in_process(raw: bytes) -> tuple[int, list[str]]:
    """parsemail's exit status and log lines for one mail, through the command itself."""
    handler = CapturedLines()
    logger = logging.getLogger("patchwork")
    logger.addHandler(handler)
    try:
        call_command(
            "parsemail", stdin=io.BytesIO(raw), stdout=io.StringIO(), stderr=io.StringIO()
        )
        status = 0
    except CommandError as error:
        status = error.returncode
    except SystemExit as error:
        status = int(error.code or 0)
    finally:
        logger.removeHandler(handler)
    return status, handler.lines


def is_kept(msgid: str) -> bool:
    """Whether a mail with this Message-ID is stored, waiting or quarantined (one with a
    character no stored Message-ID can hold, a NUL, is looked for by its log lines)."""
    candidates = {msgid, f"<{msgid.strip('<>')}>"}
    candidates = {candidate for candidate in candidates if is_storable_text(candidate)}
    return bool(candidates) and any(
        model.objects.filter(msgid__in=candidates).exists()
        for model in (Patch, Cover, PatchComment, CoverComment, UnattachedMail, FailedMail)
    )


STORED_LINE = re.compile(r"stored as (patch|cover|comment) (\d+)")
STORED_MODELS = {"patch": (Patch,), "cover": (Cover,), "comment": (PatchComment, CoverComment)}


def stored_row_exists(line: str) -> bool:
    """Whether a "stored as patch 12" log line names a row that exists (the stored
    Message-ID may differ from the raw header's: only its <...> part is kept)."""
    match = STORED_LINE.search(line)
    if match is None:
        return False
    kind, row_id = match.group(1), int(match.group(2))
    return any(model.objects.filter(pk=row_id).exists() for model in STORED_MODELS[kind])


@pytest.fixture
def fuzz_project(db):
    return ProjectFactory(linkname="fuzz", listid=LIST_ID, listemail="fuzz@example.org")


@pytest.mark.django_db
@seed(FUZZ_SEED)
@settings(FUZZ_SETTINGS, max_examples=STORE_EXAMPLES)
@given(raw=mails(), repeat=st.integers(0, 4))
def test_parsemail_status_and_nothing_lost(fuzz_project, raw, repeat):
    """Every mail gets a documented exit status and is accounted for; a mail delivered
    twice is stored once (the second delivery is a duplicate)."""
    for _delivery in range(2 if repeat == 0 else 1):
        started = time.monotonic()
        status, lines = parsemail_in_process(raw)
        assert time.monotonic() - started < COMMAND_SECONDS
        assert status in ALLOWED_EXIT_STATUSES, (status, lines)
        assert not any("Traceback" in line for line in lines), lines
        msgid = raw_msgid(raw)
        if status == 0:
            accounted = (
                is_kept(msgid)
                or any(stored_row_exists(line) for line in lines)
                or any(word in line.lower() for line in lines for word in ACCOUNTED_WORDS)
            )
            assert accounted, (msgid, lines)


@pytest.fixture(scope="module")
def command_database(tmp_path_factory):
    """A database of its own for parsemail processes, with the fuzz project."""
    workdir = tmp_path_factory.mktemp("fuzz-mail")
    database = Database.create(workdir, os.environ.get("DATABASE_URL"))
    try:
        environment = server_environment(database.url, workdir / "data")
        manage(environment, "migrate", "--no-input")
        manage(
            environment,
            "project",
            "add",
            "fuzz",
            "--name",
            "Fuzz",
            "--listid",
            LIST_ID,
            "--listemail",
            "fuzz@example.org",
        )
        yield environment
    finally:
        database.drop()


@seed(FUZZ_SEED)
@settings(FUZZ_SETTINGS, max_examples=COMMAND_EXAMPLES)
@given(raw=mails())
def test_parsemail_process_never_prints_a_traceback(command_database, raw):
    """The real command, one process per mail as an MTA runs it: a documented status,
    no traceback on its output, bounded time and peak memory."""
    status, output, peak_kib = run_measured(
        [sys.executable, str(MANAGE), "parsemail"], raw, command_database
    )
    assert status in ALLOWED_EXIT_STATUSES, output
    assert "Traceback" not in output, output
    assert peak_kib < COMMAND_MEMORY_KIB, f"parsemail peaked at {peak_kib} KiB"


def run_measured(args: list[str], raw: bytes, environment: dict) -> tuple[int, str, int]:
    """Run one process to its end: its exit status, its output, and the peak memory of
    that process alone (KiB), measured by the benchmark's launcher ``bench.childusage``
    (Linux charges a child forked straight from this test session with the session's
    memory in ``ru_maxrss``: 486 MB in CI)."""
    with tempfile.TemporaryDirectory() as scratch:
        usage_path = Path(scratch) / "usage.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.childusage", str(usage_path), "--", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=Path(MANAGE).parent,
            start_new_session=True,
        )
        killer = threading.Timer(COMMAND_SECONDS, os.killpg, (process.pid, signal.SIGKILL))
        killer.start()
        try:
            writer = threading.Thread(target=feed, args=(process.stdin, raw))
            writer.start()
            output = process.stdout.read()
            writer.join()
            process.wait()
        finally:
            killer.cancel()
            process.stdout.close()
        assert process.returncode != -signal.SIGKILL, f"killed after {COMMAND_SECONDS} s"
        usage = json.loads(usage_path.read_text())
    return usage["returncode"], output.decode(errors="replace"), usage["peak_rss_kib"]


def feed(stream, raw: bytes) -> None:
    """Write the mail and close the pipe (the command may stop reading early)."""
    try:
        stream.write(raw)
        stream.close()
    except BrokenPipeError:
        pass
