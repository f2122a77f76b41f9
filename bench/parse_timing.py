"""Measured ingest: ``parsearchive`` of an mbox (rate and peak RSS of the child) and
concurrent ``parsemail`` processes, each fed one mail on stdin as an MTA would."""

import json
import queue
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.config import REPO_ROOT
from bench.django_env import django_env, manage_command
from bench.stats import summarize_latencies


@dataclass
class ArchiveRun:
    label: str
    mails: int
    seconds: float
    mails_per_s: float
    peak_rss_mb: float
    cpu_seconds: float  # user + system time of the command itself (not PostgreSQL's)
    returncode: int
    log: str
    # parsearchive --json's own summary (patches, comments, errors...), None if absent.
    summary: dict | None = None

    @property
    def completed(self) -> bool:
        """The import ran to its summary (exit 1 only means some mails were quarantined)."""
        return self.summary is not None and self.returncode in (0, 1)

    def as_dict(self) -> dict:
        return {**asdict(self), "completed": self.completed}


def measured_command(python: Path, usage_path: Path, command: list[str]) -> list[str]:
    """The command wrapped by bench.childusage, which records its own peak RSS."""
    return [str(python), "-m", "bench.childusage", str(usage_path), "--", *command]


def read_usage(usage_path: Path) -> tuple[float, float]:
    """(peak RSS in MiB, CPU seconds) written by bench.childusage; zeros if missing."""
    try:
        usage = json.loads(usage_path.read_text())
    except (OSError, ValueError):
        return 0.0, 0.0
    return usage["peak_rss_kib"] / 1024.0, usage["user_s"] + usage["system_s"]


def run_parsearchive(
    python: Path,
    database_url: str,
    mbox: Path,
    mails: int,
    label: str,
    log_path: Path,
    *,
    keep_waiting: bool = False,
) -> ArchiveRun:
    """Time ``manage.py parsearchive --json mbox``; its peak RSS and CPU time come from
    bench.childusage.

    keep_waiting leaves replies whose parent has not come yet waiting, for an archive
    imported in parts, so that the parts store what one run would.
    """
    options = ["--json", "--keep-waiting"] if keep_waiting else ["--json"]
    summary_path = log_path.with_suffix(".json")
    usage_path = log_path.with_suffix(".usage.json")
    command = manage_command(python, "parsearchive", *options, str(mbox))
    with log_path.open("wb") as log, summary_path.open("wb") as summary_out:
        started = time.perf_counter()
        returncode = subprocess.run(
            measured_command(python, usage_path, command),
            cwd=REPO_ROOT,
            env=django_env(database_url),
            stdout=summary_out,
            stderr=log,
            check=False,
        ).returncode
        seconds = time.perf_counter() - started
    peak_rss_mb, cpu_seconds = read_usage(usage_path)
    return ArchiveRun(
        label=label,
        mails=mails,
        seconds=round(seconds, 2),
        mails_per_s=round(mails / seconds, 1),
        peak_rss_mb=round(peak_rss_mb, 1),
        cpu_seconds=round(cpu_seconds, 1),
        returncode=returncode,
        log=str(log_path),
        summary=read_summary(summary_path),
    )


def combine_runs(label: str, parts: list[ArchiveRun]) -> ArchiveRun:
    """One archive imported in consecutive parts, as one run: total mails over total
    time, the largest peak RSS, summed CPU time and summary counts."""
    seconds = sum(part.seconds for part in parts)
    mails = sum(part.mails for part in parts)
    summaries = [part.summary for part in parts]
    summary = None
    if all(summaries):
        summary = {key: sum(s.get(key, 0) for s in summaries) for key in summaries[-1]}
        summary.pop("mails_per_second", None)
    return ArchiveRun(
        label=label,
        mails=mails,
        seconds=round(seconds, 2),
        mails_per_s=round(mails / seconds, 1) if seconds else 0.0,
        peak_rss_mb=max(part.peak_rss_mb for part in parts),
        cpu_seconds=round(sum(part.cpu_seconds for part in parts), 1),
        returncode=max(part.returncode for part in parts),
        log=" ".join(part.log for part in parts),
        summary=summary,
    )


def read_summary(path: Path) -> dict | None:
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


@dataclass
class ParsemailState:
    """Shared by the feeder threads: the mails left and what each delivery did."""

    mails: "queue.SimpleQueue[bytes]"
    deadline: float
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def deliver_mails(state: ParsemailState, command: list[str], env: dict[str, str]) -> None:
    while time.perf_counter() < state.deadline:
        try:
            message = state.mails.get_nowait()
        except queue.Empty:
            return
        started = time.perf_counter()
        completed = subprocess.run(
            command, input=message, env=env, cwd=REPO_ROOT, capture_output=True
        )
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        with state.lock:
            state.latencies_ms.append(elapsed_ms)
            if completed.returncode != 0:
                tail = completed.stderr.decode(errors="replace").strip().splitlines()[-1:]
                state.failures.append(f"exit {completed.returncode}: {' '.join(tail)}")


def run_parsemail_concurrently(
    python: Path,
    database_url: str,
    messages: Iterable[bytes],
    processes: int,
    max_seconds: float,
) -> dict:
    """Feed messages to ``processes`` concurrent ``parsemail`` runs, one mail per run.

    Stops handing out mails after max_seconds; the rate counts the runs that exited 0.
    """
    mails: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    offered = 0
    for message in messages:
        mails.put(message)
        offered += 1
    started = time.perf_counter()
    state = ParsemailState(mails=mails, deadline=started + max_seconds)
    command = manage_command(python, "parsemail")
    env = django_env(database_url)
    threads = [
        threading.Thread(target=deliver_mails, args=(state, command, env))
        for _ in range(processes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    delivered = len(state.latencies_ms)
    stored = delivered - len(state.failures)
    return {
        "processes": processes,
        "offered": offered,
        "delivered": delivered,
        "failed": len(state.failures),
        "first_failures": state.failures[:5],
        "seconds": round(seconds, 2),
        "mails_per_s": round(stored / seconds, 1) if seconds else None,
        "per_mail": summarize_latencies(state.latencies_ms),
        "stopped_by_time_limit": delivered < offered,
    }
