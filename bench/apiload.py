"""API measurements: load per endpoint from the separate load-generator process, SQL
floors in this process, and query counts from a Django test-client process."""

import json
import subprocess
from pathlib import Path

from bench import floors
from bench.config import REPO_ROOT, BenchConfig
from bench.dataset import Targets
from bench.django_env import django_env
from bench.endpoints import Endpoint
from bench.postgres import connect
from bench.stats import ratio

CONCURRENCY_LEVELS = (1, 16)
MAX_REQUESTS_PER_RUN = 50_000


def run_loadgen(
    config: BenchConfig, port: int, requests: tuple[dict, ...], concurrency: int
) -> dict:
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "concurrency": concurrency,
        "duration_s": config.duration_s,
        "warmup_s": config.warmup_s,
        "max_requests": MAX_REQUESTS_PER_RUN,
        "requests": list(requests),
    }
    completed = subprocess.run(
        [str(config.python), "-m", "bench.loadgen"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=config.duration_s + config.warmup_s + 120,
    )
    if completed.returncode != 0:
        return {"error": completed.stdout.strip() or completed.stderr.strip()[-500:]}
    return json.loads(completed.stdout)


def measure_load(config: BenchConfig, port: int, endpoint: Endpoint) -> dict[str, dict]:
    return {
        f"c{level}": run_loadgen(config, port, endpoint.requests, level)
        for level in CONCURRENCY_LEVELS
    }


def measure_floors(
    config: BenchConfig, database_url: str, targets: Targets, endpoints: list[Endpoint]
) -> dict[str, dict]:
    results: dict[str, dict] = {}
    with connect(database_url) as connection:
        for endpoint in endpoints:
            if endpoint.floor is None:
                continue
            try:
                results[endpoint.name] = floors.measure_floor(
                    connection, endpoint.floor, targets, config.floor_repeats
                )
            except Exception as error:  # a broken floor is reported, not fatal
                results[endpoint.name] = {"error": f"{type(error).__name__}: {error}"}
    return results


def count_queries(config: BenchConfig, database_url: str, endpoints: list[Endpoint]) -> dict:
    requests = [{"name": endpoint.name, **endpoint.requests[0]} for endpoint in endpoints]
    completed = subprocess.run(
        [str(config.python), "-m", "bench.querycount"],
        input=json.dumps({"requests": requests}),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=django_env(database_url),
        timeout=600,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip()[-1000:]}
    return {result["name"]: result for result in json.loads(completed.stdout)["results"]}


def redact(value: object, secret: str) -> object:
    """value with every occurrence of secret (the API token in captured SQL) masked."""
    if isinstance(value, str):
        return value.replace(secret, "<token>")
    if isinstance(value, dict):
        return {key: redact(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item, secret) for item in value]
    return value


def explain_slowest(
    database_url: str, query_counts: dict, out_dir: Path, secret: str
) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each endpoint's slowest read query, saved as text."""
    plans: dict[str, str] = {}
    with connect(database_url) as connection:
        for name, counted in query_counts.items():
            slowest = (counted.get("slowest") or [None])[0] if isinstance(counted, dict) else None
            if not slowest or not slowest["sql"].lstrip().upper().startswith("SELECT"):
                continue
            try:
                rows = connection.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                plan = "\n".join(row[0] for row in rows.fetchall())
            except Exception as error:  # the plan is informative only
                plan = f"EXPLAIN failed: {error}"
            plans[name] = redact(
                f"-- {slowest['ms']} ms in Django\n{slowest['sql']}\n\n{plan}\n", secret
            )
            (out_dir / f"explain-{name}.txt").write_text(plans[name])
    return plans


def summarize_endpoint(
    endpoint: Endpoint, load: dict, floor: dict | None, counted: dict | None
) -> dict:
    c1 = load.get("c1", {})
    p50 = c1.get("latency", {}).get("p50_ms")
    floor_p50 = floor.get("p50_ms") if floor else None
    return {
        "name": endpoint.name,
        "description": endpoint.description,
        "example": endpoint.requests[0]["method"] + " " + endpoint.requests[0]["path"],
        "load": load,
        "floor": floor,
        "floor_ratio": ratio(p50, floor_p50),
        "queries": counted.get("queries") if counted else None,
        "queries_sql_ms": counted.get("sql_ms") if counted else None,
        "query_status": counted.get("status") if counted else None,
    }
