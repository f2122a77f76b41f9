"""Tests of the percentile and summary code (bench/stats.py)."""

import pytest

from bench.stats import percentile, ratio, summarize_latencies


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([5.0], 0.5, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 0.5, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0.0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 1.0, 4.0),
        (list(range(1, 101)), 0.99, 99.01),
        (list(range(1, 101)), 0.9, 90.1),
    ],
)
def test_percentile_interpolates_linearly(values, fraction, expected):
    """Same results as numpy's default method, whatever the input order."""
    assert percentile(values, fraction) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "fraction", "message"),
    [([], 0.5, "empty"), ([1.0], 1.5, "within"), ([1.0], -0.1, "within")],
)
def test_percentile_rejects_bad_input(values, fraction, message):
    with pytest.raises(ValueError, match=message):
        percentile(values, fraction)


def test_summary_of_latencies():
    summary = summarize_latencies([float(value) for value in range(1, 101)])
    assert summary == {
        "count": 100,
        "mean_ms": 50.5,
        "p50_ms": 50.5,
        "p90_ms": 90.1,
        "p99_ms": 99.01,
        "max_ms": 100.0,
    }


def test_summary_of_nothing_is_an_empty_count():
    assert summarize_latencies([]) == {"count": 0}


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(10.0, 4.0, 2.5), (None, 4.0, None), (10.0, None, None), (10.0, 0.0, None)],
)
def test_ratio(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected
