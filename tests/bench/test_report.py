"""Tests of the target verdicts (bench/targets.py) and the Markdown report (bench/report.py)."""

import json

import pytest

from bench.apiload import redact
from bench.report import markdown, write_results
from bench.targets import evaluate


def load(p50: float, rps: float, status: str = "200") -> dict:
    run = {"latency": {"p50_ms": p50, "p99_ms": p50 * 3}, "rps": rps, "statuses": {status: 10}}
    return {"c1": run, "c16": run}


def endpoint(p50: float, rps: float, floor_ratio: float = 2.0, status: str = "200") -> dict:
    return {
        "load": load(p50, rps, status),
        "floor": {"p50_ms": p50 / floor_ratio},
        "floor_ratio": floor_ratio,
        "queries": 4,
        "queries_sql_ms": 1.5,
    }


def archive_run(label: str, mails: int, rate: float, rss: float) -> dict:
    return {
        "label": label,
        "mails": mails,
        "seconds": mails / rate,
        "mails_per_s": rate,
        "peak_rss_mb": rss,
        "returncode": 0,
        "log": "x.log",
        "completed": True,
    }


@pytest.fixture
def results() -> dict:
    return {
        "meta": {"started": "20260101T000000", "mode": "default"},
        "ingest": {
            "parsearchive": [
                archive_run("small-prefix", 2_000, 700.0, 90.0),
                archive_run("full-archive", 200_000, 650.0, 100.0),
            ],
            "parsemail": {
                "processes": 8,
                "offered": 2000,
                "delivered": 2000,
                "failed": 0,
                "seconds": 30.0,
                "mails_per_s": 66.0,
            },
        },
        "api": {
            "patch-list-p1": endpoint(12.0, 250.0),
            "patch-list-p200": endpoint(20.0, 180.0),
            "patch-detail": endpoint(8.0, 300.0),
            "events-since": endpoint(30.0, 100.0, floor_ratio=6.0),
            "series-mbox": endpoint(25.0, 90.0, status="404"),
        },
        "scale": [],
    }


def verdicts(results: dict) -> dict[str, bool | None]:
    return {verdict.target: verdict.met for verdict in evaluate(results)}


def test_targets_met_not_met_and_not_measured(results):
    met = verdicts(results)
    assert met["parsearchive >= 500 mails/s"] is True
    assert met["8 concurrent parsemail >= 50 mails/s"] is True
    assert met["patch list p50 <= 15 ms at c=1"] is True
    assert met["patch list >= 200 req/s at c=16"] is True
    assert met["patch list page 200 p50 <= 2x page 1"] is True
    assert met["patch detail p50 <= 10 ms"] is True
    assert met["events since-poll p50 <= 15 ms"] is False
    assert met["every read endpoint <= 4x its SQL floor"] is False
    assert met["parsearchive peak RSS independent of size (<= 1.25x smallest)"] is True
    # An endpoint answering 404 is not measured, never met; nor is the 1M point unrun.
    assert met["series mbox (10 patches) p50 <= 30 ms"] is None
    assert met["1M patches within 1.5x of 100k (patch list p50, c=1)"] is None


def test_rss_growing_with_the_archive_is_not_met(results):
    results["ingest"]["parsearchive"][1]["peak_rss_mb"] = 400.0
    assert (
        verdicts(results)["parsearchive peak RSS independent of size (<= 1.25x smallest)"] is False
    )


def test_failed_ingest_runs_do_not_count(results):
    for run in results["ingest"]["parsearchive"]:
        run["completed"] = False
    assert verdicts(results)["parsearchive >= 500 mails/s"] is None


def test_markdown_has_every_table(results):
    text = markdown(results)
    for heading in ("## Targets", "## API", "## Ingest", "## Scale curve"):
        assert heading in text
    assert "| patch-list-p1 | 12 | 36 | 250 |" in text
    assert "| 2x | 4 | 1.5 | - | 200 |" in text
    assert "| events since-poll p50 <= 15 ms | 30 ms | NOT MET |" in text
    assert "| parsearchive full-archive | 200000 |" in text


def test_write_results_writes_json_and_markdown(results, tmp_path):
    json_path, markdown_path = write_results(results, tmp_path, "20260101T000000")
    saved = json.loads(json_path.read_text())
    assert {target["target"] for target in saved["targets"]} >= {"patch detail p50 <= 10 ms"}
    assert (tmp_path / "latest.md").read_text() == markdown_path.read_text()


def test_redact_masks_the_token_everywhere():
    """Captured SQL carries the API token of the benchmark user: it never reaches results."""
    secret = "f" * 40
    captured = {"people-q": {"slowest": [{"sql": f"... WHERE key = '{secret}'", "ms": 1.0}]}}
    assert secret not in json.dumps(redact(captured, secret))
    assert redact(captured, secret)["people-q"]["slowest"][0]["ms"] == 1.0
