"""Database session settings for the web server's connections."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

# Runs of a query on a connection before psycopg prepares it: a query run once (an odd
# page number) is not kept; one run again is planned no more.
PREPARE_THRESHOLD = 1


def limit_request_statements() -> None:
    """Give every database connection opened from now on the request statement timeout
    (PostgreSQL only). Called by the WSGI entry point, so only the web server's
    connections get it."""
    connection_created.connect(set_statement_timeout, dispatch_uid="request-statement-timeout")


def set_statement_timeout(sender, connection, **kwargs) -> None:
    """``SET statement_timeout`` on a new PostgreSQL connection: a query running longer is
    cancelled (the request is answered with a 503, see ``patchwork_api.middleware``)."""
    milliseconds = int(settings.REQUEST_STATEMENT_TIMEOUT * 1000)
    if connection.vendor != "postgresql" or milliseconds <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {milliseconds}")


@contextmanager
def prepared_statements(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, the queries of ``alias`` are bound on the server and prepared
    from their second run on the connection (PostgreSQL with ``PREPARED_STATEMENTS``).

    Planning a read of some forty joined columns costs PostgreSQL more than running it
    (a patch list page: 3.8 ms planning, 0.4 ms execution); a prepared statement is
    planned once per connection. Django binds parameters on the client and prepares
    nothing by default, which every query keeps outside these blocks: only the compiled
    read path and the downloads, whose queries the tests run on PostgreSQL, use it.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    saved = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, PREPARE_THRESHOLD
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = saved
