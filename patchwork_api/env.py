"""Reading settings from the environment and the configuration file: booleans, lists,
DATABASE_URL, and ``PATCHWORK_CONFIG``'s KEY=VALUE lines.

Nothing here imports Django: the mail relay and gunicorn's configuration read the same
file before Django is loaded.
"""

import ipaddress
import os
import re
from collections.abc import MutableMapping
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


# The variable naming the configuration file, and the file the installed commands
# (patchwork-manage, patchwork-parsemail) read when it is not set.
CONFIG_VARIABLE = "PATCHWORK_CONFIG"
INSTALLED_CONFIG_FILE = Path("/etc/patchwork-api/env")
# A PostgreSQL server that does not answer must not hold a delivery for minutes.
DEFAULT_CONNECT_TIMEOUT = "10"

SECRET_KEY_MISSING = (
    "SECRET_KEY is not set: set it in the environment or the PATCHWORK_CONFIG file, "
    "or DEBUG=true for a development server"
)

_config_key = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ConfigurationError(RuntimeError):
    """The environment describes a configuration the server cannot run with."""


def load_configuration(environ: MutableMapping[str, str] = os.environ) -> Path | None:
    """Add the settings of the file ``PATCHWORK_CONFIG`` names to ``environ``.

    The environment wins: a variable already set is left as it is, so one command can
    override the file (``DATABASE_URL=... patchwork-manage migrate``). Unset or empty,
    nothing is read. Loading twice changes nothing. ConfigurationError when the file
    cannot be read or a line is not ``KEY=VALUE``; the message never quotes a value.
    """
    name = environ.get(CONFIG_VARIABLE, "")
    if not name:
        return None
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ConfigurationError(
            f"{CONFIG_VARIABLE}: cannot read {path} ({reason}); it must be readable by "
            f"user {_user_name()}"
        ) from None
    for key, value in parse_config_file(text, source=str(path)).items():
        environ.setdefault(key, value)
    return path


def parse_config_file(text: str, *, source: str = "configuration") -> dict[str, str]:
    """``KEY=VALUE`` lines: blank lines and ``#`` comments skipped, an ``export `` prefix
    allowed, a value in matching single or double quotes taken without them (and
    without escapes: ``KEY="a b"`` is ``a b``). Spaces around ``=`` and the value are
    ignored. The same syntax as a shell's or systemd's simplest environment files.
    """
    settings: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        key, equals, value = stripped.partition("=")
        key = key.strip()
        if not equals or not _config_key.fullmatch(key):
            raise ConfigurationError(f"{source}:{number}: expected KEY=VALUE")
        settings[key] = _unquote(value.strip())
    return settings


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _user_name() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def parse_bool(value: str, *, name: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be a boolean (true/false), got {value!r}")


def parse_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_network_list(value: str, *, name: str) -> list[str]:
    """Comma-separated IP networks (``10.0.0.0/8``) or addresses."""
    networks = parse_list(value)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigurationError(f"{name}: {network!r} is not an IP network") from None
    return networks


def parse_database_url(url: str, *, base_dir: Path) -> dict:
    """Turn a DATABASE_URL into a Django DATABASES entry.

    Accepted forms: ``sqlite:///relative/or/absolute/path.db``, ``sqlite:///:memory:``,
    ``postgres://user:password@host:port/name`` (also ``postgresql://``), where the host
    may be a socket directory given as ``?host=/path``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.netloc + parts.path)
        if raw_path in ("/:memory:", ":memory:"):
            name = ":memory:"
        elif not raw_path.strip("/"):
            raise ConfigurationError(f"DATABASE_URL {url!r} names no SQLite file")
        elif raw_path.startswith("//"):
            # sqlite:////abs/path.db names an absolute path.
            name = "/" + raw_path.lstrip("/")
        else:
            name = str(base_dir / raw_path.lstrip("/"))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # Writers take the write lock when their transaction begins and wait for it
                # up to ``timeout`` seconds: a deferred transaction that read first and then
                # wrote failed at once with "database is locked" when another writer held
                # the lock (SQLite cannot wait there without risking a deadlock).
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # WAL lets the API read while mail is written; NORMAL syncs at
                # checkpoints rather than on every commit (still crash-safe in WAL mode).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        host = unquote(parts.hostname or "") if parts.hostname else query.pop("host", "")
        query.pop("host", None)
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError("DATABASE_URL names no PostgreSQL database")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": _port(parts),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"connect_timeout": DEFAULT_CONNECT_TIMEOUT, **query},
        }
    raise ConfigurationError(f"DATABASE_URL scheme {scheme!r} is not supported")


def _port(parts: SplitResult) -> str:
    """The port of a URL as text, "" when absent."""
    try:
        port = parts.port
    except ValueError:
        # The message leaves the URL out: it may hold a password.
        raise ConfigurationError("DATABASE_URL has an invalid port") from None
    return str(port or "")
