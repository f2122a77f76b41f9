"""Django settings, read from the environment in this one place.

PATCHWORK_CONFIG names a file of KEY=VALUE lines read first (patchwork_api.env); a
variable set in the environment wins over the file. Environment variables:
  DEBUG            "true" for development (default: false)
  SECRET_KEY       required to serve the web site unless DEBUG is on (commands such as
                   parsemail do not need it)
  ALLOWED_HOSTS    comma-separated host names (default: localhost,127.0.0.1,[::1],testserver)
  DATABASE_URL     sqlite:///path or postgres://user:pass@host:port/name
                   (default: SQLite file data/patchwork.sqlite3 inside the checkout)
  TIME_ZONE        time zone of the times the server makes (events, checks); mail dates
                   are UTC whatever it is, as in Patchwork (default: UTC)
  PATCHWORK_DATA_DIR  where the default database and quarantined mail live (default: ./data)
  STATIC_ROOT      where collectstatic puts files (default: ./staticfiles)
  SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE, SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS,
  SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD, SECURE_PROXY_SSL_HEADER,
  CSRF_TRUSTED_ORIGINS   HTTPS deployment (README "Production configuration")
  API_BASIC_AUTH   "false" ignores HTTP Basic credentials on the REST API (default: true)
  FAST_READS       "false" serves every API read through DRF instead of the compiled
                   read path (same answers, slower; default: true)
  PREPARED_STATEMENTS  "false" keeps the compiled read path from preparing its
                   PostgreSQL queries by key (for a pooler that cannot carry prepared
                   statements; default: true)
  REQUEST_STATEMENT_TIMEOUT   seconds a query of a web request may run on PostgreSQL
  PATCHWORK_SITE_URL, WEBHOOK_*   webhooks (README "Webhooks")
  EMAIL_BACKEND    how the web pages' mail (password reset, address confirmation) leaves:
                   file (default: one file per mail in $PATCHWORK_DATA_DIR/mail), console,
                   smtp (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
                   EMAIL_USE_TLS), or a dotted backend path; DEFAULT_FROM_EMAIL the sender
"""

import contextlib
import os
from pathlib import Path

from patchwork_api import limits
from patchwork_api.env import (
    load_configuration,
    parse_bool,
    parse_database_url,
    parse_list,
    parse_network_list,
)
from patchwork_api.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
CONFIG_FILE = load_configuration()

DEBUG = parse_bool(os.environ.get("DEBUG", "false"), name="DEBUG")

DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"
# Only what signs sessions and forms needs the key: the web server refuses to start
# without it (patchwork_api.wsgi, gunicorn's configuration); commands run without it.
SECRET_KEY = os.environ.get("SECRET_KEY", "") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = parse_list(os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"))

DATA_DIR = Path(os.environ.get("PATCHWORK_DATA_DIR", BASE_DIR / "data"))
# Made for the default SQLite database; a user who cannot write here (an MTA's delivery
# user, a database elsewhere) must still be able to run commands.
with contextlib.suppress(OSError):
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": parse_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'patchwork.sqlite3'}"),
        base_dir=BASE_DIR,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "patchwork_api",
    "projects",
    "people",
    "patches",
    "covers",
    "series",
    "bundles",
    "events",
    "ingest",
    "importer",
    "webhooks",
    "inboxes",
    "downloads",
    "xmlrpc_api",
    "web",
    "triage",
    "search",
]

MIDDLEWARE = [
    # /healthz answers before host validation, sessions and authentication.
    "patchwork_api.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "patchwork_api.middleware.ContentSecurityPolicyMiddleware",
    "patchwork_api.middleware.InputGuardMiddleware",
    # plain JSON reads of the compiled read path: answered here, without the rest
    "patchwork_api.fastread.middleware.FastReadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "patchwork_api.urls"
WSGI_APPLICATION = "patchwork_api.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Patchwork serves naive ISO 8601 dates in server time; store them the same way.
USE_TZ = False
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
LANGUAGE_CODE = "en-us"
USE_I18N = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Serve admin and browsable-API assets straight from the apps when collectstatic
# has not been run, so a fresh checkout needs no build step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "auth_login"
LOGIN_REDIRECT_URL = "user-profile"
LOGOUT_REDIRECT_URL = "project-list"

EMAIL_BACKENDS = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
EMAIL_BACKEND = EMAIL_BACKENDS.get(
    os.environ.get("EMAIL_BACKEND", "file"), os.environ.get("EMAIL_BACKEND", "")
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = parse_bool(os.environ.get("EMAIL_USE_TLS", "false"), name="EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Patchwork <patchwork@localhost>")

# The compiled read path (patchwork_api/fastread) serves plain JSON reads; false sends
# every request through DRF (same answers, slower), for comparison and as a way out.
FAST_READS = parse_bool(os.environ.get("FAST_READS", "true"), name="FAST_READS")
# Server-side prepared statements for those reads' queries by key on PostgreSQL
# (patchwork_api.database.prepared_cursor); false for a connection pooler in
# transaction mode that cannot carry them (PgBouncer before 1.21).
PREPARED_STATEMENTS = parse_bool(
    os.environ.get("PREPARED_STATEMENTS", "true"), name="PREPARED_STATEMENTS"
)

# HTTP Basic authentication on the REST API and downloads (Patchwork's default, which
# pwclient and git-pw may use). Every Basic request costs a password hash (~0.3 s of CPU),
# whoever sends it: sites whose users all have tokens may turn it off. XML-RPC keeps it.
API_BASIC_AUTH = parse_bool(os.environ.get("API_BASIC_AUTH", "true"), name="API_BASIC_AUTH")

REST_FRAMEWORK = {
    # Session first, as in Patchwork: its authenticate header is None, so anonymous
    # requests that need a user get 403 (not 401 with a challenge), as clients expect.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        *(["patchwork_api.api.authentication.BasicAuthentication"] if API_BASIC_AUTH else []),
        "patchwork_api.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "patchwork_api.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "patchwork_api.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "patchwork_api.api.filters.FilterBackend",
        "patchwork_api.api.filters.OrderFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "patchwork_api.api.pagination.LinkHeaderPagination",
    "DEFAULT_METADATA_CLASS": "patchwork_api.api.metadata.PatchworkMetadata",
    "PAGE_SIZE": 30,
    "EXCEPTION_HANDLER": "patchwork_api.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "patchwork_api.api.versioning.APIVersioning",
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Mail that fails to ingest is kept in the database quarantine table, or in files here
# when the database cannot be reached.
QUARANTINE_DIR = Path(os.environ.get("PATCHWORK_QUARANTINE_DIR", DATA_DIR / "quarantine"))
# parsemail answers 0 instead of 75 (EX_TEMPFAIL) once the mail is kept, for MTAs where
# deferral is unwanted (parsemail --exit-zero does the same for one alias).
PARSEMAIL_EXIT_ZERO = parse_bool(
    os.environ.get("PATCHWORK_PARSEMAIL_EXIT_ZERO", "false"), name="PATCHWORK_PARSEMAIL_EXIT_ZERO"
)

# PATCHWORK_LOG: stderr (default), syslog[:facility], absolute file paths; comma-separated.
LOGGING = logging_config(os.environ)
# Errors outside the API views (web pages, downloads, XML-RPC, admin) and refused hosts or
# suspicious requests: Django's own loggers, silent without DEBUG otherwise.
LOGGING["loggers"]["django.request"] = {
    "handlers": LOGGING["loggers"]["patchwork"]["handlers"],
    "level": "ERROR",
    "propagate": False,
}
LOGGING["loggers"]["django.security"] = {
    "handlers": LOGGING["loggers"]["patchwork"]["handlers"],
    "level": "WARNING",
    "propagate": False,
}

# Limits of what a request may send (patchwork_api/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.MAX_REQUEST_BODY_BYTES
REQUEST_STATEMENT_TIMEOUT = float(
    os.environ.get("REQUEST_STATEMENT_TIMEOUT", limits.REQUEST_STATEMENT_TIMEOUT_SECONDS)
)

# HTTPS deployment: each is off by default so that a plain-HTTP development server works;
# README "Production configuration" gives the values ``manage.py check --deploy`` wants.
SESSION_COOKIE_SECURE = parse_bool(
    os.environ.get("SESSION_COOKIE_SECURE", "false"), name="SESSION_COOKIE_SECURE"
)
CSRF_COOKIE_SECURE = parse_bool(
    os.environ.get("CSRF_COOKIE_SECURE", "false"), name="CSRF_COOKIE_SECURE"
)
SECURE_SSL_REDIRECT = parse_bool(
    os.environ.get("SECURE_SSL_REDIRECT", "false"), name="SECURE_SSL_REDIRECT"
)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = parse_bool(
    os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false"),
    name="SECURE_HSTS_INCLUDE_SUBDOMAINS",
)
SECURE_HSTS_PRELOAD = parse_bool(
    os.environ.get("SECURE_HSTS_PRELOAD", "false"), name="SECURE_HSTS_PRELOAD"
)
# The header a TLS-terminating proxy sets, e.g. "X-Forwarded-Proto" (its value "https"
# then marks a request as secure). Only set it when the proxy always sets or strips it.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _proxy_header = os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header}", "https")
CSRF_TRUSTED_ORIGINS = parse_list(os.environ.get("CSRF_TRUSTED_ORIGINS", ""))
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Webhooks (README "Webhooks"): links in delivered events are built on SITE_URL; targets
# in loopback, private, link-local or reserved ranges are refused unless their network is
# in WEBHOOK_ALLOWED_NETWORKS (comma-separated, e.g. "10.1.0.0/16,127.0.0.1/32").
SITE_URL = os.environ.get("PATCHWORK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WEBHOOK_ALLOWED_NETWORKS = parse_network_list(
    os.environ.get("WEBHOOK_ALLOWED_NETWORKS", ""), name="WEBHOOK_ALLOWED_NETWORKS"
)
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "10"))
WEBHOOK_MAX_CONSECUTIVE_FAILURES = int(
    os.environ.get("WEBHOOK_MAX_CONSECUTIVE_FAILURES", limits.WEBHOOK_MAX_CONSECUTIVE_FAILURES)
)
WEBHOOK_POLL_SECONDS = float(os.environ.get("WEBHOOK_POLL_SECONDS", "1"))
# How long a worker holds a hook it sends for (renewed before each delivery); a worker
# killed while holding it delays that hook's deliveries by at most this.
WEBHOOK_LEASE_SECONDS = float(
    os.environ.get("WEBHOOK_LEASE_SECONDS", 2 * limits.WEBHOOK_TIMEOUT_SECONDS + 10)
)
WEBHOOK_KEEP_DAYS = int(os.environ.get("WEBHOOK_KEEP_DAYS", "30"))
