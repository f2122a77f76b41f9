"""The issue's performance targets, each evaluated against a results dict as met or not.

A target whose figure is missing (a step that could not run, an endpoint answering an
error) is reported as not measured, never as met.
"""

from collections.abc import Callable
from dataclasses import dataclass

RSS_GROWTH_ALLOWED = 1.25
FLOOR_RATIO_ALLOWED = 4.0


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool | None  # None: not measured

    @property
    def label(self) -> str:
        return {True: "met", False: "NOT MET", None: "not measured"}[self.met]


def endpoint_ok(results: dict, name: str) -> dict | None:
    """The endpoint's summary if every measured response was a 2xx, else None."""
    endpoint = results.get("api", {}).get(name)
    if not endpoint:
        return None
    for run in endpoint.get("load", {}).values():
        statuses = run.get("statuses", {})
        if run.get("error") or not statuses or any(not s.startswith("2") for s in statuses):
            return None
    return endpoint


def latency(results: dict, name: str, level: str = "c1", stat: str = "p50_ms") -> float | None:
    endpoint = endpoint_ok(results, name)
    if endpoint is None:
        return None
    return endpoint["load"].get(level, {}).get("latency", {}).get(stat)


def rps(results: dict, name: str, level: str = "c16") -> float | None:
    endpoint = endpoint_ok(results, name)
    return endpoint["load"].get(level, {}).get("rps") if endpoint else None


def at_most(target: str, value: float | None, limit: float, unit: str) -> Verdict:
    if value is None:
        return Verdict(target, "-", None)
    return Verdict(target, f"{value:g} {unit}", value <= limit)


def at_least(target: str, value: float | None, limit: float, unit: str) -> Verdict:
    if value is None:
        return Verdict(target, "-", None)
    return Verdict(target, f"{value:g} {unit}", value >= limit)


def archive_runs(results: dict) -> list[dict]:
    """The parsearchive runs that got to their summary."""
    runs = results.get("ingest", {}).get("parsearchive", [])
    return [run for run in runs if run.get("completed")]


def largest_archive_run(results: dict) -> dict | None:
    return max(archive_runs(results), key=lambda run: run["mails"], default=None)


def parsearchive_rate(results: dict) -> Verdict:
    run = largest_archive_run(results)
    value = run["mails_per_s"] if run else None
    target = "parsearchive >= 500 mails/s"
    verdict = at_least(target, value, 500, "mails/s")
    if run:
        return Verdict(
            target, f"{verdict.measured} ({run['label']}, {run['mails']} mails)", verdict.met
        )
    return verdict


def parsemail_rate(results: dict) -> Verdict:
    parsemail = results.get("ingest", {}).get("parsemail") or {}
    return at_least(
        "8 concurrent parsemail >= 50 mails/s", parsemail.get("mails_per_s"), 50, "mails/s"
    )


def rss_independent(results: dict) -> Verdict:
    runs = archive_runs(results)
    target = f"parsearchive peak RSS independent of size (<= {RSS_GROWTH_ALLOWED}x smallest)"
    if len(runs) < 2:
        return Verdict(target, "-", None)
    smallest = min(runs, key=lambda run: run["mails"])
    largest = max(runs, key=lambda run: run["mails"])
    measured = (
        f"{smallest['peak_rss_mb']:g} MiB at {smallest['mails']} mails, "
        f"{largest['peak_rss_mb']:g} MiB at {largest['mails']} mails"
    )
    return Verdict(
        target, measured, largest["peak_rss_mb"] <= smallest["peak_rss_mb"] * RSS_GROWTH_ALLOWED
    )


def page_200_ratio(results: dict) -> Verdict:
    first, deep = latency(results, "patch-list-p1"), latency(results, "patch-list-p200")
    target = "patch list page 200 p50 <= 2x page 1"
    if first is None or deep is None:
        return Verdict(target, "-", None)
    return Verdict(target, f"{deep:g} ms vs {first:g} ms ({deep / first:.2f}x)", deep <= 2 * first)


def scale_million(results: dict) -> Verdict:
    target = "1M patches within 1.5x of 100k (patch list p50, c=1)"
    points = {point["label"]: point for point in results.get("scale", [])}
    if "1M" not in points or "100k" not in points:
        return Verdict(target, "not run (BENCH_SCALE=large)", None)
    values = [
        points[label]["endpoints"]
        .get("patch-list-p1", {})
        .get("c1", {})
        .get("latency", {})
        .get("p50_ms")
        for label in ("100k", "1M")
    ]
    if None in values:
        return Verdict(target, "-", None)
    return Verdict(target, f"{values[1]:g} ms vs {values[0]:g} ms", values[1] <= 1.5 * values[0])


def floor_ratios(results: dict) -> Verdict:
    target = f"every read endpoint <= {FLOOR_RATIO_ALLOWED:g}x its SQL floor"
    ratios = {
        name: endpoint.get("floor_ratio")
        for name, endpoint in results.get("api", {}).items()
        if endpoint.get("floor") and endpoint_ok(results, name)
    }
    if not ratios or None in ratios.values():
        return Verdict(target, "-", None)
    over = {name: value for name, value in ratios.items() if value > FLOOR_RATIO_ALLOWED}
    worst = max(ratios, key=lambda name: ratios[name])
    measured = f"worst {ratios[worst]:g}x ({worst})"
    if over:
        measured += "; over: " + ", ".join(f"{name} {value:g}x" for name, value in over.items())
    return Verdict(target, measured, not over)


EVALUATORS: tuple[Callable[[dict], Verdict], ...] = (
    parsearchive_rate,
    parsemail_rate,
    lambda r: at_most("patch list p50 <= 15 ms at c=1", latency(r, "patch-list-p1"), 15, "ms"),
    lambda r: at_least("patch list >= 200 req/s at c=16", rps(r, "patch-list-p1"), 200, "req/s"),
    page_200_ratio,
    scale_million,
    lambda r: at_most("patch detail p50 <= 10 ms", latency(r, "patch-detail"), 10, "ms"),
    lambda r: at_most("events since-poll p50 <= 15 ms", latency(r, "events-since"), 15, "ms"),
    lambda r: at_most(
        "series mbox (10 patches) p50 <= 30 ms", latency(r, "series-mbox"), 30, "ms"
    ),
    floor_ratios,
    rss_independent,
)


def evaluate(results: dict) -> list[Verdict]:
    return [evaluator(results) for evaluator in EVALUATORS]
