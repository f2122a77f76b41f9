"""SQL queries per request, run in its own Django process: ``python -m bench.querycount``.

Reads ``{"requests": [{"name", "method", "path", "headers", "body"}]}`` on stdin, sends
each request twice through Django's test client (the first warms per-process caches) and
prints, for the second, the status, the number of queries and the slowest ones, from
``CaptureQueriesContext``.
"""

import json
import os
import sys

SLOWEST_KEPT = 3


def header_kwargs(headers: dict[str, str]) -> dict[str, str]:
    """Request headers as the test client's ``headers=`` takes them, minus Content-Type."""
    return {name: value for name, value in headers.items() if name.lower() != "content-type"}


def count_request(client, request: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = request.get("headers", {})
    kwargs = {
        "data": request.get("body") or "",
        "content_type": headers.get("Content-Type", "application/octet-stream"),
        "headers": header_kwargs(headers),
    }
    client.generic(request["method"], request["path"], **kwargs)
    with CaptureQueriesContext(connection) as captured:
        response = client.generic(request["method"], request["path"], **kwargs)
    queries = [
        {"sql": query["sql"], "ms": round(float(query["time"]) * 1000.0, 3)}
        for query in captured.captured_queries
    ]
    return {
        "name": request["name"],
        "status": response.status_code,
        "queries": len(queries),
        "sql_ms": round(sum(query["ms"] for query in queries), 3),
        "slowest": sorted(queries, key=lambda query: query["ms"], reverse=True)[:SLOWEST_KEPT],
    }


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patchwork_api.settings")
    import django

    django.setup()
    from django.test import Client

    # A failing endpoint is reported by its status, not raised.
    client = Client(raise_request_exception=False)
    results = [count_request(client, request) for request in json.load(sys.stdin)["requests"]]
    print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
