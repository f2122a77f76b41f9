"""The command-line entry points: manage.py, patchwork-manage and patchwork-parsemail.

``manage.py`` (a checkout) and the console scripts of an installation (``pyproject.toml``)
all go through ``main``, which

- reads the configuration file: PATCHWORK_CONFIG, or for the installed commands
  ``/etc/patchwork-api/env`` when it exists and PATCHWORK_CONFIG is not set;
- hands ``parsemail`` to a running ingestd before loading Django (ingest.relay);
- turns a configuration problem into one line on stderr and status 78 (EX_CONFIG),
  and a database that cannot be reached into one line and status 75 (EX_TEMPFAIL),
  never a traceback (``--traceback`` still shows one).

postfix bounces a mail on 78 ("5.3.5 local configuration error"), to the list's
bounce address: ``parsemail --defer-config-errors`` answers 75 instead, so that the
MTA keeps the mail in its queue until the configuration is mended.
"""

import os
import sys

from patchwork_api.env import CONFIG_VARIABLE, INSTALLED_CONFIG_FILE, ConfigurationError

SETTINGS_MODULE = "patchwork_api.settings"
DEFER_CONFIG_ERRORS = "--defer-config-errors"


def main(argv: list[str] | None = None, *, installed: bool = False) -> None:
    """Run a management command as ``manage.py`` does; exits with its status."""
    argv = list(sys.argv if argv is None else argv)
    if installed and CONFIG_VARIABLE not in os.environ and INSTALLED_CONFIG_FILE.exists():
        os.environ[CONFIG_VARIABLE] = str(INSTALLED_CONFIG_FILE)
    command = argv[1] if len(argv) > 1 else "help"
    try:
        _run(argv, command)
    except ConfigurationError as error:
        _stop(command, f"configuration error: {error}", _config_status(argv, command))
    except Exception as error:
        described = None if "--traceback" in argv else _describe(error, command)
        if described is None:
            raise
        message, status = described
        if status == os.EX_CONFIG:
            status = _config_status(argv, command)
        _stop(command, message, status)


def _config_status(argv: list[str], command: str) -> int:
    if command == "parsemail" and DEFER_CONFIG_ERRORS in argv:
        return os.EX_TEMPFAIL
    return os.EX_CONFIG


def manage() -> None:
    """``patchwork-manage``: manage.py of an installation."""
    main(installed=True)


def parsemail() -> None:
    """``patchwork-parsemail [options]``: ``patchwork-manage parsemail [options]``, for an
    MTA's alias or pipe line."""
    main([sys.argv[0], "parsemail", *sys.argv[1:]], installed=True)


def _run(argv: list[str], command: str) -> None:
    if command == "parsemail":
        # A running ingestd stores the mail without this process loading Django.
        from ingest.relay import relay_parsemail

        status = relay_parsemail(argv[2:])
        if status is not None:
            sys.exit(status)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _describe(error: Exception, command: str) -> tuple[str, int] | None:
    """One line and an exit status for an error that reached the top of a command;
    None for a bug in a command other than parsemail (its traceback helps)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import InterfaceError, OperationalError

    first_line = (str(error).strip().splitlines() or [""])[0]
    if isinstance(error, ImproperlyConfigured):
        return f"configuration error: {first_line}", os.EX_CONFIG
    if isinstance(error, OperationalError | InterfaceError):
        return f"database unavailable: {first_line}", os.EX_TEMPFAIL
    if command != "parsemail":
        return None
    # What reaches here happened before the mail was read or after it was kept: the MTA
    # keeps the mail on a temporary failure, and an MTA must never see a traceback.
    return f"internal error: {type(error).__name__}: {first_line}", os.EX_TEMPFAIL


def _stop(command: str, message: str, status: int) -> None:
    sys.stderr.write(f"{command}: {' '.join(message.split())}\n")
    sys.exit(status)
