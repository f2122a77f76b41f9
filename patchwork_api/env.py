"""Reading settings from the environment: booleans, lists and DATABASE_URL."""

from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(RuntimeError):
    """The environment describes a configuration the server cannot run with."""


def parse_bool(value: str, *, name: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be a boolean (true/false), got {value!r}")


def parse_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


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
            "OPTIONS": query,
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
