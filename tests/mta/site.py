"""A deployment as README "Deploying" describes it, in a temporary directory, for the mta tier.

- ``make install PREFIX=...``: the project installed for service users, on Debian's
  interpreter (the checkout's .venv links into /root, which user nobody cannot read);
- a configuration file (mode 0640, group nogroup) that every command reads through
  PATCHWORK_CONFIG, naming a PostgreSQL cluster of the test's own (it is stopped and
  started again under the running mail system);
- gunicorn from the installation, and ``patchwork-manage`` run as user nobody, the
  service user here (the directory tree is made readable by others, unlike pytest's);
- a postfix instance of its own (``postfix -c DIR``) on a free loopback port, whose
  alias file belongs to nobody, so that postfix runs the alias's pipe as nobody;
- optionally ``patchwork-manage ingestd``, as nobody.

Every process started here is stopped by ``close``, whatever happened.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
THROWAWAY_POSTGRES = REPO_ROOT / "tools" / "throwaway-postgres"
POSTFIX = Path("/usr/sbin/postfix")
SERVICE_USER = "nobody"
MAIL_DOMAIN = "patchwork.test"
SECRET_KEY = "mta-tier-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
WAIT_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(*arguments: str, user: str | None = None, check: bool = True, **kwargs):
    """A command, as ``user`` when given (runuser); its output in the error when it fails."""
    command = ["runuser", "-u", user, "--", *arguments] if user else list(arguments)
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, **kwargs
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {completed.returncode}\n"
            f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
        )
    return completed


def give_to_service_user(path: Path, mode: int = 0o750) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    shutil.chown(path, SERVICE_USER)
    path.chmod(mode)
    return path


@dataclass
class Site:
    root: Path
    prefix: Path
    port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    database_url: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    ingestd: subprocess.Popen | None = None
    postfix_started: bool = False

    # --- layout ------------------------------------------------------------------------
    @property
    def config(self) -> Path:
        return self.root / "etc" / "env"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def log_file(self) -> Path:
        return self.root / "log" / "patchwork.log"

    @property
    def postfix_dir(self) -> Path:
        """postfix's configuration directory (its queue and data are beside it: postfix
        wants everything under its configuration directory to belong to root)."""
        return self.root / "postfix"

    @property
    def mail_log(self) -> Path:
        return self.root / "maillog"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- set-up --------------------------------------------------------------------------
    @classmethod
    def create(cls, prefix: Path) -> "Site":
        root = Path(tempfile.mkdtemp(prefix="patchwork-mta-"))
        root.chmod(0o755)  # the service user walks through it
        return cls(root=root, prefix=prefix)

    def start_database(self) -> None:
        self.database_url = run(str(THROWAWAY_POSTGRES), "start", str(self.root / "pg")).stdout
        self.database_url = self.database_url.strip()

    def stop_database(self) -> None:
        run(str(THROWAWAY_POSTGRES), "stop", str(self.root / "pg"))

    def write_config(self) -> None:
        give_to_service_user(self.data_dir)
        give_to_service_user(self.log_file.parent)
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.parent.chmod(0o755)
        self.config.write_text(
            "# The mta tier's configuration (deploy/env.example)\n"
            f"SECRET_KEY={SECRET_KEY}\n"
            "ALLOWED_HOSTS=127.0.0.1,localhost\n"
            f"DATABASE_URL={self.database_url}\n"
            f"PATCHWORK_DATA_DIR={self.data_dir}\n"
            f"PATCHWORK_LOG={self.log_file}\n"
            f"GUNICORN_BIND=127.0.0.1:{self.port}\n"
            "GUNICORN_WORKERS=2\n"
        )
        shutil.chown(self.config, "root", "nogroup")
        self.config.chmod(0o640)

    def environment(self) -> dict[str, str]:
        """What a service has: a path and the configuration file, nothing of the test's."""
        return {"PATH": "/usr/bin:/bin", "PATCHWORK_CONFIG": str(self.config)}

    def manage(self, *arguments: str, check: bool = True, **kwargs):
        """``patchwork-manage`` as the service user."""
        return run(
            "env",
            "-i",
            *(f"{key}={value}" for key, value in self.environment().items()),
            str(self.prefix / "bin" / "patchwork-manage"),
            *arguments,
            user=SERVICE_USER,
            check=check,
            **kwargs,
        )

    def start_server(self) -> None:
        log = (self.root / "gunicorn.log").open("ab")
        server = subprocess.Popen(
            [str(self.prefix / "bin" / "gunicorn"), "-c", "python:patchwork_api.gunicorn_conf"],
            env=self.environment(),
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(server)
        self.wait_for(lambda: self._answers("/api/"), "gunicorn to answer /api/")

    def _answers(self, path: str) -> bool:
        try:
            return requests.get(f"{self.url}{path}", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    def start_ingestd(self) -> None:
        log = (self.root / "ingestd.log").open("ab")
        environment = " ".join(f"{key}={value}" for key, value in self.environment().items())
        self.ingestd = subprocess.Popen(
            [
                "runuser",
                "-u",
                SERVICE_USER,
                "--",
                "sh",
                "-c",
                f"exec env -i {environment} {self.prefix}/bin/patchwork-manage ingestd",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(self.ingestd)
        socket_path = self.data_dir / "ingest.sock"
        self.wait_for(socket_path.exists, "ingestd's socket")

    def stop_ingestd(self) -> None:
        if self.ingestd is not None:
            _terminate(self.ingestd)
            self.ingestd = None

    # --- postfix ---------------------------------------------------------------------------
    def start_postfix(self, list_address: str) -> None:
        """A postfix instance of our own, delivering ``list_address`` through the alias."""
        directory = self.postfix_dir
        directory.mkdir(mode=0o755)
        aliases_dir = give_to_service_user(self.root / "aliases", 0o755)
        command = (
            f"/usr/bin/env PATCHWORK_CONFIG={self.config} {self.prefix}/bin/patchwork-parsemail"
        )
        aliases = aliases_dir / "patchwork-aliases"
        aliases.write_text(f'{list_address}: "|{command}"\n')
        shutil.chown(aliases, SERVICE_USER)
        (self.root / "queue").mkdir(mode=0o755)  # postfix check makes what is inside
        (self.root / "postfix-data").mkdir(mode=0o700)
        shutil.chown(self.root / "postfix-data", "postfix")
        (directory / "main.cf").write_text(self._main_cf(aliases))
        (directory / "master.cf").write_text(self._master_cf())
        run("postalias", "-c", str(directory), str(aliases))
        run(str(POSTFIX), "-c", str(directory), "check")
        run(str(POSTFIX), "-c", str(directory), "start")
        self.postfix_started = True
        self.wait_for(self._smtp_answers, "postfix's SMTP server")

    def _main_cf(self, aliases: Path) -> str:
        return "\n".join(
            [
                "compatibility_level = 3.6",
                f"queue_directory = {self.root / 'queue'}",
                f"data_directory = {self.root / 'postfix-data'}",
                "meta_directory = /etc/postfix",
                "mail_owner = postfix",
                "setgid_group = postdrop",
                f"myhostname = {MAIL_DOMAIN}",
                f"mydomain = {MAIL_DOMAIN}",
                f"myorigin = {MAIL_DOMAIN}",
                f"mydestination = {MAIL_DOMAIN}, localhost",
                "inet_interfaces = loopback-only",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                f"alias_maps = hash:{aliases}",
                f"alias_database = hash:{aliases}",
                "local_recipient_maps = $alias_maps",
                # Nothing leaves this machine: mail for elsewhere (a bounce) fails here.
                "default_transport = error:the mta tier sends no mail out",
                "relay_transport = error:the mta tier sends no mail out",
                "smtp_dns_support_level = disabled",
                "biff = no",
                f"maillog_file = {self.mail_log}",
                f"maillog_file_prefixes = {self.root}",
                "",
            ]
        )

    def _master_cf(self) -> str:
        """Debian's master.cf with its SMTP server on our port and no chroot."""
        lines = []
        for line in Path("/etc/postfix/master.cf").read_text().splitlines():
            fields = line.split()
            if line[:1] not in ("", "#", " ", "\t") and len(fields) >= 8:
                if fields[0] == "smtp" and fields[1] == "inet":
                    fields[0] = f"127.0.0.1:{self.smtp_port}"
                fields[4] = "n"  # chroot: the queue directory is ours, not a jail
                line = "  ".join(fields)
            lines.append(line)
        return "\n".join(lines) + "\n"

    def _smtp_answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.smtp_port), timeout=2) as connection,
        ):
            return connection.recv(100).startswith(b"220")
        return False

    def postqueue(self, *arguments: str):
        return run("postqueue", "-c", str(self.postfix_dir), *arguments)

    def queue(self) -> list[dict]:
        """The queued mails (``postqueue -j``), each with its queue_name and recipients."""
        output = self.postqueue("-j").stdout
        return [json.loads(line) for line in output.splitlines() if line.strip()]

    def stop_postfix(self) -> None:
        if not self.postfix_started:
            return
        directory = str(self.postfix_dir)
        run(str(POSTFIX), "-c", directory, "stop", check=False)
        pid_file = self.root / "queue" / "pid" / "master.pid"
        deadline = time.monotonic() + 20
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_file.exists():
            run(str(POSTFIX), "-c", directory, "abort", check=False)
        self.postfix_started = False

    # --- the mail log ------------------------------------------------------------------------
    def delivery_statuses(self, recipient: str) -> list[str]:
        """``status=`` of every delivery attempt to ``recipient`` in postfix's log."""
        pattern = re.compile(rf"to=<{re.escape(recipient)}>.*? status=(\w+)")
        if not self.mail_log.exists():
            return []
        return pattern.findall(self.mail_log.read_text(errors="replace"))

    # --- helpers ------------------------------------------------------------------------------
    def wait_for(self, condition, what: str, seconds: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.3)
        raise AssertionError(f"waited {seconds:.0f}s for {what}\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for path in (self.mail_log, self.log_file, self.root / "ingestd.log"):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-40:]
                parts.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def close(self) -> None:
        """Stop everything this site started, whatever state it is in."""
        with contextlib.suppress(Exception):
            self.stop_postfix()
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                _terminate(process)
        with contextlib.suppress(Exception):
            self.stop_database()
        shutil.rmtree(self.root, ignore_errors=True)


def _terminate(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
