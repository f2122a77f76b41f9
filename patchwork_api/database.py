"""Database session settings for the web server's connections."""

from django.conf import settings
from django.db.backends.signals import connection_created


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
