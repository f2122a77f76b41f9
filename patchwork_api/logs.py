"""Where the ``patchwork`` loggers write: stderr, files and syslog, chosen by PATCHWORK_LOG.

``PATCHWORK_LOG`` is a comma-separated list of destinations: ``stderr``, ``syslog`` (or
``syslog:FACILITY``, ``mail`` by default, as an MTA logs), and absolute file paths. A
destination that cannot be written never stops a command or loses the line: the line
goes to stderr instead, with one word on why (a mail delivery must not fail because its
log file was rotated away or /dev/log is missing).
"""

import logging
import logging.handlers
import os
import sys
from collections.abc import Mapping

from patchwork_api.env import ConfigurationError, parse_list

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"
SYSLOG_FORMAT = "patchwork-api[%(process)d]: %(name)s: %(message)s"
SYSLOG_ADDRESS = "/dev/log"
DEFAULT_FACILITY = "mail"


def logging_config(environ: Mapping[str, str]) -> dict:
    """Django's LOGGING for the destinations of PATCHWORK_LOG at level LOG_LEVEL."""
    level = environ.get("LOG_LEVEL", "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigurationError(f"LOG_LEVEL must be a level name (INFO, WARNING...): {level!r}")
    handlers = {}
    for destination in parse_list(environ.get("PATCHWORK_LOG", "stderr")) or ["stderr"]:
        handlers[destination] = _handler(destination)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": LOG_FORMAT},
            "syslog": {"format": SYSLOG_FORMAT},
        },
        "handlers": handlers,
        "loggers": {"patchwork": {"handlers": list(handlers), "level": level}},
    }


def _handler(destination: str) -> dict:
    if destination == "stderr":
        return {"class": "logging.StreamHandler", "formatter": "plain"}
    if destination == "syslog" or destination.startswith("syslog:"):
        facility = destination.partition(":")[2] or DEFAULT_FACILITY
        if facility not in logging.handlers.SysLogHandler.facility_names:
            raise ConfigurationError(f"PATCHWORK_LOG: unknown syslog facility {facility!r}")
        return {"()": SyslogHandler, "facility": facility, "formatter": "syslog"}
    if os.path.isabs(destination):
        return {"()": FileHandler, "filename": destination, "formatter": "plain"}
    raise ConfigurationError(
        f"PATCHWORK_LOG: {destination!r} is neither stderr, syslog[:facility] nor an "
        "absolute file path"
    )


def _fallback(handler: logging.Handler, record: logging.LogRecord, problem: str) -> None:
    """The line on stderr, prefixed with why it is not where it should be."""
    try:
        text = logging.Formatter(LOG_FORMAT).format(record)
        sys.stderr.write(f"{text} [{problem}]\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr itself is gone: nothing is left to tell


class FileHandler(logging.handlers.WatchedFileHandler):
    """Appends to a file, reopened after logrotate moves it; stderr when it cannot."""

    def __init__(self, filename: str) -> None:
        super().__init__(filename, encoding="utf-8", delay=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.reopenIfNeeded()
            if self.stream is None:
                self.stream = self._open()
            logging.StreamHandler.emit(self, record)
        except OSError as error:
            self.stream = None
            _fallback(self, record, f"cannot write {self.baseFilename}: {error.strerror}")

    def handleError(self, record: logging.LogRecord) -> None:
        _fallback(self, record, f"cannot write {self.baseFilename}")


class SyslogHandler(logging.Handler):
    """Sends to the local syslog socket (journald reads it too), connecting when first
    needed and again after a failure; stderr while it cannot."""

    def __init__(self, facility: str = DEFAULT_FACILITY, address: str = SYSLOG_ADDRESS) -> None:
        super().__init__()
        self.facility = facility
        self.address = address
        self.sender: logging.handlers.SysLogHandler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.sender is None:
                self.sender = _Sender(self.address, self.facility)
                self.sender.setFormatter(self.formatter)
            self.sender.emit(record)
        except OSError as error:
            self.close_sender()
            _fallback(self, record, f"no syslog at {self.address}: {error.strerror}")

    def setFormatter(self, formatter: logging.Formatter | None) -> None:
        super().setFormatter(formatter)
        if self.sender is not None:
            self.sender.setFormatter(formatter)

    def close_sender(self) -> None:
        if self.sender is not None:
            self.sender.close()
            self.sender = None

    def close(self) -> None:
        self.close_sender()
        super().close()


class _Sender(logging.handlers.SysLogHandler):
    """The standard handler, whose errors reach SyslogHandler instead of a traceback."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # re-raised: this runs in the except block of emit
