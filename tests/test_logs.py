"""PATCHWORK_LOG: where the patchwork loggers write (stderr, files, syslog), and a
destination that cannot be written never stops a command or loses the line."""

import logging
import socket

import pytest

from patchwork_api.env import ConfigurationError
from patchwork_api.logs import FileHandler, SyslogHandler, logging_config


def record(message: str = "parsemail: <m@x>: stored as patch 1") -> logging.LogRecord:
    return logging.LogRecord("patchwork.ingest", logging.INFO, __file__, 1, message, None, None)


def test_stderr_is_the_default():
    config = logging_config({})

    assert list(config["handlers"]) == ["stderr"]
    assert config["loggers"]["patchwork"] == {"handlers": ["stderr"], "level": "INFO"}


def test_several_destinations_are_comma_separated():
    config = logging_config(
        {"PATCHWORK_LOG": "syslog:local3, /var/log/p.log", "LOG_LEVEL": "debug"}
    )

    assert config["handlers"]["syslog:local3"]["facility"] == "local3"
    assert config["handlers"]["/var/log/p.log"]["filename"] == "/var/log/p.log"
    assert config["loggers"]["patchwork"]["level"] == "DEBUG"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PATCHWORK_LOG": "relative.log"}, "neither stderr, syslog"),
        ({"PATCHWORK_LOG": "syslog:nowhere"}, "unknown syslog facility"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be a level name"),
    ],
)
def test_a_destination_that_cannot_be_is_a_configuration_error(environ, message):
    with pytest.raises(ConfigurationError, match=message):
        logging_config(environ)


def test_a_file_gets_one_line_per_record_and_is_reopened_after_rotation(tmp_path):
    path = tmp_path / "mail.log"
    handler = FileHandler(str(path))
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.emit(record("one"))
    path.rename(tmp_path / "mail.log.1")  # logrotate
    handler.emit(record("two"))
    handler.close()

    assert (tmp_path / "mail.log.1").read_text() == "one\n"
    assert path.read_text() == "two\n"


def test_a_file_that_cannot_be_written_sends_the_line_to_stderr(tmp_path, capsys):
    handler = FileHandler(str(tmp_path / "missing-directory" / "mail.log"))
    handler.setFormatter(logging.Formatter("%(message)s"))

    handler.emit(record())

    error = capsys.readouterr().err
    assert "parsemail: <m@x>: stored as patch 1" in error
    assert "cannot write" in error
    assert "Traceback" not in error


def test_syslog_gets_the_line_with_the_mail_facility(tmp_path):
    address = str(tmp_path / "log.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as syslog:
        syslog.bind(address)
        syslog.settimeout(5)
        handler = SyslogHandler(address=address)
        handler.setFormatter(logging.Formatter("patchwork-api[1]: %(message)s"))
        handler.emit(record())
        datagram = syslog.recv(4096)
        handler.close()

    # <priority> = facility mail (2) * 8 + severity info (6)
    assert datagram.startswith(b"<22>patchwork-api[1]: parsemail: <m@x>: stored as patch 1")


def test_without_a_syslog_socket_the_line_goes_to_stderr(tmp_path, capsys):
    handler = SyslogHandler(address=str(tmp_path / "no-such-socket"))

    handler.emit(record())

    error = capsys.readouterr().err
    assert "parsemail: <m@x>: stored as patch 1" in error
    assert "no syslog at" in error
    assert "Traceback" not in error
