"""Database session settings for the web server's connections."""

import functools
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

# Prepared statements psycopg keeps per connection (its default is 100): the compiled
# plans' queries by key, per API version, and per id type psycopg sends (int2/4/8 arrays).
PREPARED_MAX = 512
NEVER_BY_ITSELF = 2**31 - 1


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


def prepared_cursor(connection: BaseDatabaseWrapper) -> Any | None:
    """A cursor of ``connection`` whose every query is prepared on the server, or None
    (not PostgreSQL, or ``PREPARED_STATEMENTS`` off).

    For the compiled read path's queries by key (``patchwork_api.fastread.prepared``):
    planning one of some forty joined columns cost PostgreSQL more than running it (a
    patch by id: 1.0 ms planning, 0.2 ms execution); prepared, it is planned once per
    connection. Their plans are generic (``plan_cache_mode``, set once per connection):
    an index lookup by primary keys is the right plan whatever the keys, and PostgreSQL's
    own choice kept re-planning them. Django prepares nothing (its cursors bind on the
    client), so the setting touches no other query. The cursor is Django's wrapper: the
    queries are logged and counted as any other.
    """
    if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        return None
    # what Django's own cursor() does first: a persistent connection the database
    # dropped (a restart) is checked once per request and opened again
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if getattr(raw, "patchwork_generic_plans", False) is not True:
        with connection.wrap_database_errors:
            raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.prepared_max = PREPARED_MAX
        # psycopg prepares nothing while this is None, even when asked to; Django's client
        # cursors never prepare, so only the cursors made here do
        raw.prepare_threshold = NEVER_BY_ITSELF
        # in a transaction (a test), the setting ends with it: set it again next time
        raw.patchwork_generic_plans = not connection.in_atomic_block
    cursor = _preparing_cursor_class()(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@functools.cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Binds on the server and prepares every query it runs."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _convert_query(self, query, params=None):
            # kept where Django's query log reads the SQL sent (client cursors keep it)
            self._query = converted = super()._convert_query(query, params)
            return converted

    return PreparingCursor
