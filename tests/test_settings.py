"""Settings read from the environment, checked in a fresh interpreter with a clean env."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

# Prints the settings the tests look at, after Django has loaded them.
PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
from django.urls import resolve
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings._wrapped.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE": {key: str(value) for key, value in settings.DATABASES["default"].items()
                 if key in ("ENGINE", "NAME", "HOST", "PORT")},
    "TIME_ZONE": settings.TIME_ZONE,
    "USE_TZ": settings.USE_TZ,
    "AUTHENTICATION": settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
    "PREPARED_STATEMENTS": settings.PREPARED_STATEMENTS,
    "PATCH_VIEW_AUTHENTICATION": [
        cls.__name__ for cls in resolve("/api/1.3/patches/1/").func.cls.authentication_classes
    ],
}))
"""


def load_settings(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    """Import the settings in a new interpreter whose environment holds only ``environment``
    (plus what Python needs to run), with the data directory in ``tmp_path``."""
    clean_environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "patchwork_api.settings",
        "PATCHWORK_DATA_DIR": str(tmp_path / "data"),
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=REPO_ROOT,
        env=clean_environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def loaded_settings(tmp_path, **environment: str) -> dict:
    result = load_settings(tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("debug", [None, "false", "0", "no"])
def test_commands_run_without_a_secret_key(tmp_path, debug):
    """Only signing sessions and forms needs the key: parsemail and the other commands
    must not, so that it never has to appear on an MTA's alias line."""
    environment = {} if debug is None else {"DEBUG": debug}

    settings = loaded_settings(tmp_path, **environment)

    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == ""


def test_the_web_application_refuses_to_start_without_a_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import patchwork_api.wsgi"],
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PATCHWORK_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_with_secret_key_starts_with_debug_off(tmp_path):
    settings = loaded_settings(tmp_path, SECRET_KEY="a-long-random-production-key")

    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == "a-long-random-production-key"


def test_debug_without_secret_key_uses_the_development_key(tmp_path):
    settings = loaded_settings(tmp_path, DEBUG="true")

    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"].startswith("development-only")


def test_debug_with_an_unreadable_value_is_refused(tmp_path):
    result = load_settings(tmp_path, DEBUG="perhaps", SECRET_KEY="key")

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_default_database_is_sqlite_in_the_data_directory(tmp_path):
    settings = loaded_settings(tmp_path, DEBUG="true")

    assert settings["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["DATABASE"]["NAME"] == str(tmp_path / "data" / "patchwork.sqlite3")
    assert (tmp_path / "data").is_dir()


def test_database_url_selects_postgresql(tmp_path):
    url = "postgres://patchwork:secret@db.example.org:5433/patchwork"

    settings = loaded_settings(tmp_path, DEBUG="true", DATABASE_URL=url)

    assert settings["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "patchwork",
        "HOST": "db.example.org",
        "PORT": "5433",
    }


def test_unsupported_database_url_is_refused(tmp_path):
    result = load_settings(tmp_path, DEBUG="true", DATABASE_URL="mysql://db/patchwork")

    assert result.returncode != 0
    assert "not supported" in result.stderr


def test_allowed_hosts_are_read_as_a_comma_separated_list(tmp_path):
    settings = loaded_settings(
        tmp_path, DEBUG="true", ALLOWED_HOSTS="patchwork.example.org, .example.net"
    )

    assert settings["ALLOWED_HOSTS"] == ["patchwork.example.org", ".example.net"]


def test_dates_are_naive_in_the_configured_time_zone(tmp_path):
    settings = loaded_settings(tmp_path, DEBUG="true", TIME_ZONE="Europe/Paris")

    assert settings["USE_TZ"] is False
    assert settings["TIME_ZONE"] == "Europe/Paris"


def test_settings_come_from_the_patchwork_config_file(tmp_path):
    config = tmp_path / "env"
    config.write_text("SECRET_KEY=from-the-file\nALLOWED_HOSTS=a.example.org\nTIME_ZONE=UTC\n")

    settings = loaded_settings(tmp_path, PATCHWORK_CONFIG=str(config), TIME_ZONE="Europe/Paris")

    assert settings["SECRET_KEY"] == "from-the-file"
    assert settings["ALLOWED_HOSTS"] == ["a.example.org"]
    assert settings["TIME_ZONE"] == "Europe/Paris"  # the environment wins


def test_an_unwritable_data_directory_does_not_stop_the_settings(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")

    settings = loaded_settings(tmp_path, DEBUG="true", PATCHWORK_DATA_DIR=str(blocker / "data"))

    assert settings["DEBUG"] is True


@pytest.mark.parametrize(("value", "basic"), [(None, True), ("true", True), ("false", False)])
def test_api_basic_auth_setting(tmp_path, value, basic):
    """``API_BASIC_AUTH`` keeps or drops Basic authentication from the API's schemes
    (session and token stay)."""
    environment = {} if value is None else {"API_BASIC_AUTH": value}
    loaded = loaded_settings(tmp_path, **environment)
    classes = loaded["AUTHENTICATION"]
    assert any(name.endswith(".BasicAuthentication") for name in classes) is basic
    assert any(name.endswith(".TokenAuthentication") for name in classes)
    assert any(name.endswith(".SessionAuthentication") for name in classes)
    assert ("BasicAuthentication" in loaded["PATCH_VIEW_AUTHENTICATION"]) is basic


@pytest.mark.parametrize(("value", "prepared"), [(None, True), ("true", True), ("false", False)])
def test_prepared_statements_setting(tmp_path, value, prepared):
    environment = {} if value is None else {"PREPARED_STATEMENTS": value}
    assert loaded_settings(tmp_path, **environment)["PREPARED_STATEMENTS"] is prepared
