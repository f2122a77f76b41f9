"""WSGI entry point used by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patchwork_api.settings")

application = get_wsgi_application()

# Queries made while serving requests are stopped after REQUEST_STATEMENT_TIMEOUT; commands
# (parsemail, parsearchive, migrate) do not load this module and have no such limit.
from patchwork_api.database import limit_request_statements  # noqa: E402

limit_request_statements()
