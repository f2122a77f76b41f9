"""/healthz: whether this server can do its work, for load balancers and monitors.

Answered by a middleware placed first, before host validation (a load balancer probes
with its own Host header), sessions and authentication: no credentials are needed and
nothing sensitive is told (no error text, host or version). JSON, never cached:

    {"status": "ok", "database": "ok", "migrations": "ok",
     "quarantine": {"pending": 0, "set_aside": 2, "files": 0}}

200 when the database answers and every migration is applied, else 503 with
``"status": "unavailable"`` and ``"database": "unreachable"`` or ``"migrations":
"pending"``. The quarantine counts are for monitors (files waiting in the spool
directory mean mail arrived while the database was down); they never make it fail.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("patchwork.health")

HEALTH_PATHS = ("/healthz", "/healthz/")


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.migrated = False  # once applied, they stay applied until a restart

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in HEALTH_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Method not allowed."}, status=405)
        body = self.check()
        response = JsonResponse(body, status=200 if body["status"] == "ok" else 503)
        response["Cache-Control"] = "no-store"
        return response

    def check(self) -> dict:
        from ingest.quarantine import quarantine_counts

        body: dict = {"status": "ok", "database": "ok", "migrations": "ok"}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            if not self.migrated:
                executor = MigrationExecutor(connection)
                self.migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
            if not self.migrated:
                body.update(status="unavailable", migrations="pending")
            body["quarantine"] = quarantine_counts(database=self.migrated)
        except DatabaseError as error:
            logger.warning("healthz: database unreachable: %s", error)
            body.update(status="unavailable", database="unreachable", migrations="unknown")
            body["quarantine"] = quarantine_counts(database=False)
            connection.close()
        return body
