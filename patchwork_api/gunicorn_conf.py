"""gunicorn configuration: workers and binding come from the environment or PATCHWORK_CONFIG.

Used as ``gunicorn -c python:patchwork_api.gunicorn_conf`` by an installation (the
systemd unit in deploy/) and through ``gunicorn.conf.py`` in a checkout. A configuration
the site cannot run with (no SECRET_KEY with DEBUG off, an unreadable PATCHWORK_CONFIG)
stops gunicorn at once with one line and status 78 (EX_CONFIG), before any worker starts.
"""

import multiprocessing
import os
import sys

from patchwork_api.env import (
    SECRET_KEY_MISSING,
    ConfigurationError,
    load_configuration,
    parse_bool,
)

try:
    load_configuration()
    if not os.environ.get("SECRET_KEY") and not parse_bool(
        os.environ.get("DEBUG", "false"), name="DEBUG"
    ):
        raise ConfigurationError(SECRET_KEY_MISSING)
except ConfigurationError as error:
    print(f"patchwork-api: configuration error: {error}", file=sys.stderr)
    sys.exit(os.EX_CONFIG)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# An empty variable means the default, as an unset one.
workers = int(os.environ.get("GUNICORN_WORKERS") or min(4, multiprocessing.cpu_count() * 2 + 1))
# Threaded workers (gthread, whenever threads > 1): a client that sends its request slowly,
# or a request waiting on a slow query, holds one thread, not a whole process, and idle
# connections wait in the worker's poller; the other threads go on serving. A query of a
# request is stopped by PostgreSQL after REQUEST_STATEMENT_TIMEOUT seconds (settings).
# README "Worker model and timeouts".
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# A worker that stops answering its master (a sync worker stuck reading a request, or a
# process wedged in C code) is killed and replaced after this many seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
wsgi_app = "patchwork_api.wsgi:application"
# An empty GUNICORN_ACCESS_LOG turns the access log off (the benchmark does).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# Keep-alive lets clients that page through lists reuse their connection.
keepalive = 5
# gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl),
# so servers running side by side (tests, benchmark, make run) would take it from each
# other: it is off unless GUNICORN_CONTROL_SOCKET names a path for this server.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
