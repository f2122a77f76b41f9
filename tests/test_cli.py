"""The command line of an MTA hook: sysexits statuses, one line and never a traceback
for a configuration problem, the configuration file, the installed commands' default.

Each test runs manage.py in a fresh interpreter with a clean environment, as an MTA
would start it.
"""

import os
import subprocess
import sys

import pytest

from patchwork_api import cli
from tests.conftest import REPO_ROOT

MAIL = (
    b"From: Jo <jo@example.org>\nSubject: [PATCH] x\nMessage-Id: <cli@example.org>\n"
    b"List-Id: <nowhere.example.org>\n\nFix.\n"
)


def manage(tmp_path, *arguments: str, stdin: bytes = MAIL, **environment: str):
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PATCHWORK_DATA_DIR": str(tmp_path / "data"),
        "PATCHWORK_INGEST_SOCKET": str(tmp_path / "no-daemon.sock"),
        **environment,
    }
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *arguments],
        input=stdin,
        env=clean,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A data directory with a migrated SQLite database (no SECRET_KEY, DEBUG off)."""
    tmp_path = tmp_path_factory.mktemp("cli")
    result = manage(tmp_path, "migrate", "--no-input", "-v0")
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_parsemail_needs_no_secret_key(migrated):
    result = manage(migrated, "parsemail")

    assert result.returncode == 0, result.stderr
    assert b"<cli@example.org>: dropped: no project for list-id" in result.stderr


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DEBUG": "perhaps"}, b"DEBUG must be a boolean"),
        ({"DATABASE_URL": "mysql://db/x"}, b"DATABASE_URL scheme 'mysql' is not supported"),
        ({"PATCHWORK_CONFIG": "/nonexistent/env"}, b"cannot read /nonexistent/env"),
        ({"PATCHWORK_LOG": "syslog:nowhere"}, b"unknown syslog facility"),
    ],
)
@pytest.mark.parametrize("arguments", [["parsemail"], ["parsemail", "--help"], ["--help"]])
def test_a_configuration_error_is_one_line_and_status_78(
    tmp_path, environment, message, arguments
):
    result = manage(tmp_path, *arguments, **environment)

    assert result.returncode == 78
    assert result.stderr.count(b"\n") == 1
    assert message in result.stderr
    assert b"configuration error" in result.stderr
    assert b"Traceback" not in result.stderr


def test_defer_config_errors_answers_75_so_that_postfix_keeps_the_mail(tmp_path):
    result = manage(
        tmp_path, "parsemail", "--defer-config-errors", PATCHWORK_CONFIG="/nonexistent/env"
    )

    assert result.returncode == 75
    assert b"configuration error" in result.stderr


def test_a_configuration_file_line_that_is_not_key_value_names_the_line(tmp_path):
    config = tmp_path / "env"
    config.write_text("SECRET_KEY=s3cret\nthis is not a setting\n")

    result = manage(tmp_path, "parsemail", PATCHWORK_CONFIG=str(config))

    assert result.returncode == 78
    assert f"{config}:2: expected KEY=VALUE".encode() in result.stderr
    assert b"s3cret" not in result.stderr


def test_wrong_options_exit_64(migrated):
    result = manage(migrated, "parsemail", "--no-such-option")

    assert result.returncode == 64


def test_an_unreadable_file_exits_66(migrated):
    result = manage(migrated, "parsemail", str(migrated / "missing.eml"))

    assert result.returncode == 66


def test_an_unreachable_database_is_one_line_and_status_75_for_any_command(tmp_path):
    result = manage(tmp_path, "migrate", DATABASE_URL="postgres://nobody@127.0.0.1:1/none")

    assert result.returncode == 75
    assert result.stderr.startswith(b"migrate: database unavailable: ")
    assert result.stderr.count(b"\n") == 1


def test_a_database_down_during_delivery_is_deferred_with_the_mail_kept(tmp_path):
    result = manage(tmp_path, "parsemail", DATABASE_URL="postgres://nobody@127.0.0.1:1/none")

    assert result.returncode == 75
    assert b"<cli@example.org>: deferred, kept in file " in result.stderr
    assert len(list((tmp_path / "data" / "quarantine").glob("*.eml"))) == 1


def test_exit_zero_answers_0_once_the_mail_is_kept(tmp_path):
    result = manage(
        tmp_path, "parsemail", "--exit-zero", DATABASE_URL="postgres://nobody@127.0.0.1:1/none"
    )

    assert result.returncode == 0
    assert len(list((tmp_path / "data" / "quarantine").glob("*.eml"))) == 1


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:patchwork_api.gunicorn_conf",
            "--check-config",
        ],
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PATCHWORK_DATA_DIR": str(tmp_path)},
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 78
    assert b"configuration error: SECRET_KEY is not set" in result.stderr
    assert b"Traceback" not in result.stderr


def test_the_installed_commands_read_the_system_configuration_file(tmp_path, monkeypatch):
    installed = tmp_path / "env"
    installed.write_text("SECRET_KEY=x\n")
    monkeypatch.setattr(cli, "INSTALLED_CONFIG_FILE", installed)
    monkeypatch.delenv("PATCHWORK_CONFIG", raising=False)
    seen = []
    monkeypatch.setattr(
        cli, "_run", lambda argv, command: seen.append(os.environ.get("PATCHWORK_CONFIG"))
    )

    cli.main(["patchwork-manage", "check"], installed=True)
    monkeypatch.setenv("PATCHWORK_CONFIG", "")
    cli.main(["patchwork-manage", "check"], installed=True)  # set, even empty: as it is
    monkeypatch.delenv("PATCHWORK_CONFIG")
    cli.main(["manage.py", "check"])  # a checkout reads no system file

    assert seen == [str(installed), "", None]
