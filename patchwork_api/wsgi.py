"""WSGI entry point used by gunicorn."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from patchwork_api.env import SECRET_KEY_MISSING, ConfigurationError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patchwork_api.settings")

application = get_wsgi_application()
try:
    settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key when it is read
except ImproperlyConfigured:
    # Commands run without the key; sessions and CSRF tokens cannot.
    raise ConfigurationError(SECRET_KEY_MISSING) from None

# Queries made while serving requests are stopped after REQUEST_STATEMENT_TIMEOUT; commands
# (parsemail, parsearchive, migrate) do not load this module and have no such limit.
from patchwork_api.database import limit_request_statements  # noqa: E402

limit_request_statements()

# The compiled read path's plans (patchwork_api/fastread), compiled before any request.
from patchwork_api.fastread.endpoints import compile_all  # noqa: E402

compile_all()
