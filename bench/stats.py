"""Latency statistics: percentiles by linear interpolation and a summary of one run."""

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) by linear interpolation between closest ranks.

    Matches numpy's default ("linear") method: p50 of [1, 2, 3, 4] is 2.5.
    """
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within 0..1, got {fraction}")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    weight = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * weight


def summarize_latencies(latencies_ms: Sequence[float]) -> dict[str, float | int]:
    """Count, mean, p50, p90, p99 and max of latencies in milliseconds."""
    if not latencies_ms:
        return {"count": 0}
    return {
        "count": len(latencies_ms),
        "mean_ms": round(sum(latencies_ms) / len(latencies_ms), 3),
        "p50_ms": round(percentile(latencies_ms, 0.50), 3),
        "p90_ms": round(percentile(latencies_ms, 0.90), 3),
        "p99_ms": round(percentile(latencies_ms, 0.99), 3),
        "max_ms": round(max(latencies_ms), 3),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator rounded to 2 places, None when either is missing or 0."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)
