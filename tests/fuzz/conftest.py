"""The fuzz tier (marker ``fuzz``): schemathesis against the real server over HTTP, and
hypothesis over the mail parser and ``parsemail``. Runs on PostgreSQL (the production
database: the SQLite pass of CI skips it), bounded in time; the seed is printed so a
failure can be replayed with ``FUZZ_SEED=<seed>``."""

import os
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

# One seed for the whole run, given or drawn; printed in the summary.
FUZZ_SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**31))


@dataclass
class FuzzResult:
    target: str
    identity: str
    operations: int
    cases: int
    requests: int
    server_errors: int
    failures: int


RESULTS: list[FuzzResult] = []


def is_postgres() -> bool:
    return (os.environ.get("DATABASE_URL") or "").startswith(("postgres", "pgsql"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.fuzz)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not RESULTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fuzz tier")
    write(f"seed: {FUZZ_SEED} (replay with FUZZ_SEED={FUZZ_SEED})")
    write(
        f"{'target':<28}{'identity':<12}{'operations':>11}{'cases':>8}{'requests':>10}"
        f"{'5xx':>6}{'failures':>10}"
    )
    for result in RESULTS:
        write(
            f"{result.target:<28}{result.identity:<12}{result.operations:>11}{result.cases:>8}"
            f"{result.requests:>10}{result.server_errors:>6}{result.failures:>10}"
        )
    write(
        f"{'total':<40}{sum(r.operations for r in RESULTS):>11}"
        f"{sum(r.cases for r in RESULTS):>8}{sum(r.requests for r in RESULTS):>10}"
        f"{sum(r.server_errors for r in RESULTS):>6}{sum(r.failures for r in RESULTS):>10}"
    )
