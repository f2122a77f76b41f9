"""HTTPS and security settings read from the environment (issue 12, item 9), and the
documented production configuration passing ``manage.py check --deploy``."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.test_settings import load_settings

# The README's "Production configuration" (behind a proxy that terminates TLS).
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "k7Qp2vX9mR4tL8wZ1yB6nH3jF5gD0sA-cE_uI~oP.qW+eT!rY@xV#zN$bM%lK",
    "ALLOWED_HOSTS": "patchwork.example.org",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "CSRF_TRUSTED_ORIGINS": "https://patchwork.example.org",
}

PRINT_SECURITY_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "DATABASES",
)}, default=str))
"""


def security_settings(tmp_path, **environment: str) -> dict:
    clean_environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "patchwork_api.settings",
        "PATCHWORK_DATA_DIR": str(tmp_path / "data"),
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SECURITY_SETTINGS],
        cwd=REPO_ROOT,
        env=clean_environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_https_settings_are_off_by_default(tmp_path):
    """A plain-HTTP development server keeps working: nothing forces HTTPS by default;
    frame denial, nosniff and the referrer policy are always on."""
    settings = security_settings(tmp_path, DEBUG="true")
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["SECURE_PROXY_SSL_HEADER"] is None
    assert settings["X_FRAME_OPTIONS"] == "DENY"
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert settings["SECURE_REFERRER_POLICY"] == "same-origin"


def test_https_settings_are_read_from_the_environment(tmp_path):
    """Item 9: SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE and HSTS are settable."""
    settings = security_settings(tmp_path, **PRODUCTION_ENVIRONMENT)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31536000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://patchwork.example.org"]


def test_bad_boolean_is_refused(tmp_path):
    result = load_settings(tmp_path, DEBUG="true", SESSION_COOKIE_SECURE="sometimes")
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE must be a boolean" in result.stderr


def test_sqlite_writers_take_the_lock_when_they_begin(tmp_path):
    """Item 6: SQLite transactions are IMMEDIATE with a busy timeout, so concurrent
    writers wait for each other instead of failing with "database is locked"."""
    settings = security_settings(tmp_path, DEBUG="true")
    options = settings["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_production_configuration_passes_check_deploy(tmp_path):
    """The README's production configuration passes ``manage.py check --deploy`` with
    no warning."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PATCHWORK_DATA_DIR": str(tmp_path / "data"),
        **PRODUCTION_ENVIRONMENT,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS"])
def test_check_deploy_notices_a_missing_https_setting(tmp_path, missing):
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PATCHWORK_DATA_DIR": str(tmp_path / "data"),
        **{key: value for key, value in PRODUCTION_ENVIRONMENT.items() if key != missing},
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
