"""Benchmark results on disk: the full JSON and a short Markdown summary with the targets."""

import json
from pathlib import Path

from bench.targets import evaluate


def cell(value: object, suffix: str = "") -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:g}{suffix}"
    return f"{value}{suffix}"


def run_cells(run: dict | None) -> list[str]:
    if not run or run.get("error"):
        return ["-", "-", "-"]
    measured = run.get("latency", {})
    return [cell(measured.get("p50_ms")), cell(measured.get("p99_ms")), cell(run.get("rps"))]


def statuses_text(endpoint: dict) -> str:
    seen: set[str] = set()
    for run in endpoint.get("load", {}).values():
        if run.get("error"):
            seen.add("error")
        seen.update(run.get("statuses", {}))
        if run.get("errors"):
            seen.add(f"{run['errors']} conn err")
    return ",".join(sorted(seen)) or "-"


def api_table(results: dict) -> list[str]:
    lines = [
        "| endpoint | p50 c=1 (ms) | p99 c=1 | req/s c=1 | p50 c=16 | p99 c=16 | req/s c=16 "
        "| SQL floor p50 | ratio | queries | their SQL ms | bytes | status |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for name, endpoint in results.get("api", {}).items():
        load = endpoint.get("load", {})
        floor = endpoint.get("floor") or {}
        row = [
            name,
            *run_cells(load.get("c1")),
            *run_cells(load.get("c16")),
            cell(floor.get("p50_ms")),
            cell(endpoint.get("floor_ratio"), "x"),
            cell(endpoint.get("queries")),
            cell(endpoint.get("queries_sql_ms")),
            cell((load.get("c1") or {}).get("mean_response_bytes")),
            statuses_text(endpoint),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def ingest_table(results: dict) -> list[str]:
    ingest = results.get("ingest", {})
    lines = [
        "| ingest run | mails | seconds | mails/s | peak RSS (MiB) | command CPU s | exit |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for run in ingest.get("parsearchive", []):
        lines.append(
            f"| parsearchive {run['label']} | {run['mails']} | {run['seconds']} | "
            f"{run['mails_per_s']} | {run['peak_rss_mb']} | {run.get('cpu_seconds', '-')} | "
            f"{run['returncode']} |"
        )
    parsemail = ingest.get("parsemail")
    if parsemail and "delivered" in parsemail:
        lines.append(
            f"| parsemail x{parsemail['processes']} (one process per mail) | "
            f"{parsemail['delivered']}/{parsemail['offered']} | {parsemail['seconds']} | "
            f"{parsemail['mails_per_s']} | - | - | {parsemail['failed']} failed |"
        )
    return lines


def scale_table(results: dict) -> list[str]:
    lines = [
        "| scale | patches | patch list p50 c=1 | req/s c=16 | events p50 c=1 | req/s c=16 |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for point in results.get("scale", []):
        endpoints = point.get("endpoints", {})
        cells = []
        for name in ("patch-list-p1", "events-since"):
            load = endpoints.get(name, {})
            cells += [
                cell(load.get("c1", {}).get("latency", {}).get("p50_ms")),
                cell(load.get("c16", {}).get("rps")),
            ]
        lines.append(f"| {point['label']} | {point['patches']} | " + " | ".join(cells) + " |")
    return lines


def targets_table(results: dict) -> list[str]:
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for verdict in evaluate(results):
        lines.append(f"| {verdict.target} | {verdict.measured} | {verdict.label} |")
    return lines


def markdown(results: dict) -> str:
    meta = results.get("meta", {})
    header = [
        f"# Benchmark {meta.get('started', '')}",
        "",
        f"Mode: {meta.get('mode', '?')}; commit {meta.get('commit', '?')}; corpus "
        f"{meta.get('corpus_mails', '?')} mails / {meta.get('corpus_patches', '?')} patches; "
        f"{meta.get('gunicorn_workers', '?')} gunicorn workers; {meta.get('duration_s', '?')} s "
        "per endpoint and concurrency; total run "
        f"{meta.get('total_seconds', '?')} s.",
    ]
    sections = [
        header,
        ["## Targets", "", *targets_table(results)],
        ["## API (latencies in ms)", "", *api_table(results)],
        ["## Ingest", "", *ingest_table(results)],
        ["## Scale curve", "", *scale_table(results)],
    ]
    if results.get("problems"):
        sections.append(["## Problems", "", *(f"- {problem}" for problem in results["problems"])])
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def write_results(results: dict, results_dir: Path, stamp: str) -> tuple[Path, Path]:
    """Write <stamp>.json/.md and latest.json/.md; return the timestamped paths."""
    results_dir.mkdir(parents=True, exist_ok=True)
    results["targets"] = [verdict.__dict__ for verdict in evaluate(results)]
    as_json = json.dumps(results, indent=1, default=str)
    as_markdown = markdown(results)
    json_path, markdown_path = results_dir / f"{stamp}.json", results_dir / f"{stamp}.md"
    for path, text in (
        (json_path, as_json),
        (markdown_path, as_markdown),
        (results_dir / "latest.json", as_json),
        (results_dir / "latest.md", as_markdown),
    ):
        path.write_text(text)
    return json_path, markdown_path
