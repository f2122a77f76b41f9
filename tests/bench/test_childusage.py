"""Tests of the resource-usage launcher (bench/childusage.py)."""

import json
import subprocess
import sys
from pathlib import Path

from bench.childusage import main
from bench.parse_timing import measured_command, read_usage

PARENT_BALLAST_BYTES = 200 * 1024 * 1024


def test_peak_rss_is_the_commands_own_not_the_parents(tmp_path):
    """A big benchmark process must not be charged to the command it measures."""
    ballast = bytearray(PARENT_BALLAST_BYTES)
    ballast[::4096] = b"\1" * len(ballast[::4096])
    usage_path = tmp_path / "usage.json"
    command = measured_command(Path(sys.executable), usage_path, [sys.executable, "-c", "pass"])
    assert subprocess.run(command, check=False).returncode == 0
    peak_rss_mb, cpu_seconds = read_usage(usage_path)
    assert 0 < peak_rss_mb < 100
    assert cpu_seconds >= 0
    del ballast


def test_exit_status_and_usage_of_a_failing_command(tmp_path):
    usage_path = tmp_path / "usage.json"
    status = main(
        ["childusage", str(usage_path), "--", sys.executable, "-c", "raise SystemExit(3)"]
    )
    assert status == 3
    assert json.loads(usage_path.read_text())["returncode"] == 3


def test_usage_error_without_separator(tmp_path, capsys):
    assert main(["childusage", str(tmp_path / "u.json"), sys.executable]) == 2
    assert "usage" in capsys.readouterr().err


def test_missing_usage_file_reads_as_zero(tmp_path):
    assert read_usage(tmp_path / "absent.json") == (0.0, 0.0)
