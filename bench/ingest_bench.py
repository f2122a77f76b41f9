"""``make bench-ingest``: how fast mail goes in, on SQLite and on PostgreSQL.

Measures ``parsearchive`` of the dev-list corpus (3,082 mails) into a fresh SQLite file
and into a throwaway PostgreSQL cluster, and ``parsemail`` run as one process per mail
(start-up included, as an MTA runs it) on a sample of the corpus. Prints a table and
writes ``bench/results/ingest.json``. The machine may be shared: the load average is
recorded with each figure, and the CPU time of the command (with its parsing workers)
and of the PostgreSQL server beside the wall time: their sum per mail tells what the
machine can do when nobody else uses it (two cores shared by the three).
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.archives import Archive

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "dev-list.mbox.xz"
RESULTS = REPO / "bench" / "results" / "ingest.json"
THROWAWAY_POSTGRES = REPO / "tools" / "throwaway-postgres"
LIST_ID = "dev.example.org"
SAMPLE_LIST_ID = "sample.example.org"
TARGETS = {"parsearchive_postgresql_mails_per_second": 500, "parsemail_median_seconds": 0.3}


@dataclass
class ArchiveRun:
    database: str
    messages: int
    seconds: float
    mails_per_second: float
    wall_seconds: float
    cpu_seconds: float
    server_cpu_seconds: float | None
    load_average: float
    summary: dict = field(default_factory=dict)

    @property
    def cpu_milliseconds_per_mail(self) -> float:
        total = self.cpu_seconds + (self.server_cpu_seconds or 0.0)
        return 1000 * total / max(self.messages, 1)


@dataclass
class MailRuns:
    database: str
    mails: int
    median_seconds: float
    mean_seconds: float
    fastest_seconds: float
    slowest_seconds: float
    load_average: float


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-ingest",
        "LOG_LEVEL": "ERROR",
    }


def manage(
    database_url: str, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> bytes:
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        env={**environment(database_url), **(env or {})},
        cwd=REPO,
        check=False,
    )
    if result.returncode not in (0, 1, 75):  # 75: parsemail kept a mail it could not store
        raise RuntimeError(f"manage.py {args[0]} failed: {result.stderr.decode()[-2000:]}")
    return result.stdout


def prepare(database_url: str) -> None:
    manage(database_url, "migrate", "--no-input", "-v", "0")
    for linkname, list_id in (("dev", LIST_ID), ("sample", SAMPLE_LIST_ID)):
        manage(
            database_url,
            "project",
            "add",
            linkname,
            "--name",
            linkname,
            "--listid",
            list_id,
            "--listemail",
            f"{linkname}@example.org",
        )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_cpu(cluster: Path | None) -> float | None:
    """CPU seconds of a PostgreSQL cluster's processes, ended backends included."""
    if cluster is None:
        return None
    postmaster = int((cluster / "data" / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(value) for value in fields[11:15])  # own and reaped children
        elif parent == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def run_archive(database: str, database_url: str, cluster: Path | None) -> ArchiveRun:
    cpu_before = children_cpu()
    server_before = server_cpu(cluster)
    started = time.monotonic()
    summary = json.loads(manage(database_url, "parsearchive", "--json", str(CORPUS)))
    wall = time.monotonic() - started
    server_after = server_cpu(cluster)
    return ArchiveRun(
        database=database,
        messages=summary["messages"],
        seconds=summary["seconds"],
        mails_per_second=summary["mails_per_second"],
        wall_seconds=round(wall, 2),
        cpu_seconds=round(children_cpu() - cpu_before, 2),
        server_cpu_seconds=(
            round(server_after - server_before, 2) if server_before is not None else None
        ),
        load_average=os.getloadavg()[0],
        summary=summary,
    )


def sample_mails(count: int, offset: int = 0) -> list[bytes]:
    """``count`` mails spread over the archive; another ``offset`` gives other mails."""
    mails = list(Archive(CORPUS).messages())
    step = max(2, len(mails) // count)
    return mails[offset::step][:count]


def run_parsemail(
    database: str, database_url: str, mails: list[bytes], env: dict[str, str] | None = None
) -> MailRuns:
    seconds = []
    for raw in mails:
        started = time.monotonic()
        manage(database_url, "parsemail", "--list-id", SAMPLE_LIST_ID, stdin=raw, env=env)
        seconds.append(time.monotonic() - started)
    return MailRuns(
        database=database,
        mails=len(seconds),
        median_seconds=round(statistics.median(seconds), 3),
        mean_seconds=round(statistics.mean(seconds), 3),
        fastest_seconds=round(min(seconds), 3),
        slowest_seconds=round(max(seconds), 3),
        load_average=os.getloadavg()[0],
    )


def bench_database(
    database: str,
    database_url: str,
    mails: list[bytes],
    relayed_mails: list[bytes],
    cluster: Path | None = None,
) -> dict:
    prepare(database_url)
    archive = run_archive(database, database_url, cluster)
    parsemail = run_parsemail(database, database_url, mails)
    # Other mails of the same spread, through ingestd.
    with ingest_daemon(database_url) as env:
        relayed = run_parsemail(database, database_url, relayed_mails, env)
    return {
        "parsearchive": {
            **asdict(archive),
            "cpu_milliseconds_per_mail": round(archive.cpu_milliseconds_per_mail, 2),
            # What two cores do when this import has them to itself.
            "idle_two_core_mails_per_second": round(2000 / archive.cpu_milliseconds_per_mail),
        },
        "parsemail": asdict(parsemail),
        "parsemail_relayed": asdict(relayed),
    }


@contextlib.contextmanager
def ingest_daemon(database_url: str) -> Iterator[dict[str, str]]:
    """``manage.py ingestd`` on a private socket, for the run; stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-ingestd-") as directory:
        socket_path = Path(directory) / "ingest.sock"
        env = {"PATCHWORK_INGEST_SOCKET": str(socket_path)}
        daemon = subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), "ingestd"],
            env={**environment(database_url), **env},
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not _answers(socket_path) and time.monotonic() < deadline:
                time.sleep(0.1)
            yield env
        finally:
            daemon.terminate()
            daemon.wait(60)


def _answers(socket_path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(socket_path))
        except OSError:
            return False
    return True


def bench_sqlite(mails: list[bytes], relayed_mails: list[bytes]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as directory:
        url = f"sqlite:///{directory}/bench.sqlite3"
        return bench_database("sqlite", url, mails, relayed_mails)


def bench_postgresql(mails: list[bytes], relayed_mails: list[bytes]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-pg-") as directory:
        os.chmod(directory, 0o755)  # the cluster may run as the postgres user
        cluster = Path(directory) / "cluster"
        started = subprocess.run(
            [str(THROWAWAY_POSTGRES), "start", str(cluster)],
            capture_output=True,
            text=True,
            check=True,
        )
        try:
            url = started.stdout.strip().splitlines()[-1]
            return bench_database("postgresql", url, mails, relayed_mails, cluster)
        finally:
            subprocess.run(
                [str(THROWAWAY_POSTGRES), "stop", str(cluster)], capture_output=True, check=False
            )


def table(results: dict) -> str:
    lines = [
        f"{'':<12}{'parsearchive mails/s':>22}{'wall s':>9}{'cpu ms/mail':>13}"
        f"{'idle 2-core mails/s':>21}{'parsemail median s':>21}{'via ingestd':>13}{'load':>7}",
    ]
    for database in ("sqlite", "postgresql"):
        if database not in results:
            continue
        archive = results[database]["parsearchive"]
        mail = results[database]["parsemail"]
        lines.append(
            f"{database:<12}{archive['mails_per_second']:>22.1f}{archive['wall_seconds']:>9.1f}"
            f"{archive['cpu_milliseconds_per_mail']:>13.2f}"
            f"{archive['idle_two_core_mails_per_second']:>21}{mail['median_seconds']:>21.3f}"
            f"{results[database]['parsemail_relayed']['median_seconds']:>13.3f}"
            f"{archive['load_average']:>7.2f}"
        )
    lines.append(
        f"targets: parsearchive on PostgreSQL >= "
        f"{TARGETS['parsearchive_postgresql_mails_per_second']} mails/s, "
        f"parsemail median <= {TARGETS['parsemail_median_seconds']} s (process start included;"
        " 'via ingestd' with the daemon running)"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40, help="mails for the parsemail runs")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    options = parser.parse_args()
    if not CORPUS.exists():
        print(f"bench-ingest: {CORPUS} is missing", file=sys.stderr)
        return 2
    mails = sample_mails(options.sample)
    relayed_mails = sample_mails(options.sample, offset=1)
    results: dict = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "corpus": str(CORPUS.name),
        "targets": TARGETS,
    }
    if not options.skip_sqlite:
        results["sqlite"] = bench_sqlite(mails, relayed_mails)
    if not options.skip_postgresql:
        results["postgresql"] = bench_postgresql(mails, relayed_mails)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"written to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
