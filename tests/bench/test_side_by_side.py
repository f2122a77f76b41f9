"""The side-by-side table (bench/side_by_side.py): targets, medians over rounds, and the
last server's speed-up over each other one."""

import argparse

import pytest

from bench.side_by_side import Target, largest_series, parse_target, table


def test_targets_are_name_equals_port():
    assert parse_target("pw=8100") == Target("pw", 8100)
    for text in ("pw", "=8100", "pw=http"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_target(text)


def result(p50: float, rps: float) -> dict:
    return {"latency": {"p50_ms": p50}, "rps": rps}


def test_table_gives_medians_and_the_last_servers_speed_up():
    targets = [Target("pw", 1), Target("ours", 2)]
    results = {
        ("list", "pw", 1): [result(80, 0), result(100, 0), result(90, 0)],
        ("list", "pw", 8): [result(0, 20), result(0, 30)],
        ("list", "ours", 1): [result(10, 0), result(9, 0), result(11, 0)],
        ("list", "ours", 8): [result(0, 100), result(0, 150)],
    }
    lines = table(targets, {"list": "/api/x/"}, results, {"list": [0.5, 1.25]}).splitlines()
    assert lines[0] == (
        "| endpoint | pw p50 c=1 ms | pw req/s c=8 | ours p50 c=1 ms | ours req/s c=8 "
        "| pw / ours p50 | ours / pw req/s | load avg (range) |"
    )
    assert lines[2] == "| list | 90.0 | 25.0 | 10.0 | 125.0 | 9.0x | 5.0x | 0.50-1.25 |"


def test_the_largest_series_is_the_first_with_the_most_patches():
    page = [
        {"id": 3, "patches": [1]},
        {"id": 4, "patches": [1, 2, 3]},
        {"id": 5, "patches": [1, 2, 3]},
    ]
    assert largest_series(page)["id"] == 4
