"""Schemathesis over every operation of every API version's spec (../shared/spec), as an
anonymous client, a plain user and a project maintainer, against gunicorn on PostgreSQL:
no answer may be a 5xx, and every answer must match the spec's response schema (with the
deviations Patchwork shares, tests/fuzz/spec.py)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.fuzz.conftest import FUZZ_SEED, RESULTS, FuzzResult, is_postgres
from tests.fuzz.spec import operation_count, relaxed_spec, spec_paths
from tests.served.site import ServedSite, served_site

pytestmark = pytest.mark.skipif(not is_postgres(), reason="the fuzz tier runs on PostgreSQL")

IDENTITIES = ("anonymous", "user", "maintainer")
SCHEMATHESIS = Path(sys.executable).parent / "st"
# Generated cases per operation in the fuzzing phase (positive and negative data).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 5)
# Versions whose runs also go through schemathesis' coverage phase (boundary values and
# each kind of invalid value for every parameter: ~80 cases per operation).
COVERAGE_VERSIONS = (os.environ.get("FUZZ_COVERAGE_VERSIONS") or "1.4").split(",")
# A run is stopped after this many seconds whatever it has left (schemathesis' own
# --max-time is a target: its fuzzing phase repeats until the time is spent).
RUN_SECONDS_LIMIT = 600
CHECKS = "not_a_server_error,response_schema_conformance"
SPECS = spec_paths()
# Where the server serves the OpenAPI document of its extensions (README "REST API
# extensions"), fuzzed like the versions' specs when present.
EXTENSIONS_DOCUMENT = "/api/extensions.yaml"
# Schemathesis' error feedback (it narrows what it generates from the 400 answers it has
# seen) is off: once a user's PUT had been answered 400, schemathesis 4.32 could generate
# no body for PUT /users/{id} at all and reported its own "Unsatisfiable" as an error of
# the run (CI, seed 1768146778; with a token, every seed once a user's name was changed).
SCHEMATHESIS_CONFIG = """\
[phases.fuzzing.error-feedback]
enabled = false
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[ServedSite]:
    with served_site(
        tmp_path_factory.mktemp("fuzz-api"),
        os.environ.get("DATABASE_URL"),
        GUNICORN_WORKERS="2",
        GUNICORN_ACCESS_LOG="-",
        LOG_LEVEL="INFO",
    ) as served:
        yield served


def phases(spec_path: Path) -> str:
    version = spec_path.stem.removeprefix("patchwork-api-v")
    return "coverage,fuzzing" if version in COVERAGE_VERSIONS else "fuzzing"


def access_log_lines(site: ServedSite) -> list[str]:
    return [
        line
        for line in site.server.log_path.read_text(errors="replace").splitlines()
        if "schemathesis" in line.lower()
    ]


def is_server_error(access_log_line: str) -> bool:
    """Whether an access log line (gunicorn's default format) records a 5xx status."""
    parts = access_log_line.split('" ', 1)
    return len(parts) == 2 and parts[1][:1] == "5"


def run_schemathesis(
    site: ServedSite, spec: dict, target: str, identity: str, phase_list: str, workdir: Path
) -> None:
    """One schemathesis run over ``spec`` as ``identity``; its counts go to the summary."""
    spec_file = workdir / f"{target}.yaml"
    spec_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    report_dir = workdir / "report"
    config_file = workdir / "schemathesis.toml"
    config_file.write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config_file),
        "run",
        str(spec_file),
        "--url",
        site.url,
        "--checks",
        CHECKS,
        "--phases",
        phase_list,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(FUZZ_SEED),
        # One worker: hypothesis' lambda descriptions are not thread-safe (schemathesis
        # reported its own "AST constructor recursion depth mismatch" errors with two).
        "--workers",
        "1",
        # Requests carry the identity's credentials only: generated Basic credentials cost
        # the server a password hash each (~0.3 s of PBKDF2; Patchwork's too), which made
        # the anonymous coverage run take 500 s. tests/hardening covers bad credentials.
        "--generation-with-security-parameters",
        "false",
        # Shrinking has no time bound; the seed replays a failure as it was found.
        "--no-shrink",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-dir",
        str(report_dir),
        "--no-color",
    ]
    token = site.identities[identity].token
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    lines_before = len(access_log_lines(site))
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS_LIMIT,
        check=False,
        cwd=workdir,
    )
    requests_made = access_log_lines(site)[lines_before:]
    server_errors = [line for line in requests_made if is_server_error(line)]
    reports = sorted(report_dir.glob("*.json"))
    assert reports, f"schemathesis wrote no report:\n{completed.stdout[-3000:]}{completed.stderr}"
    report = json.loads(reports[-1].read_text())
    RESULTS.append(
        FuzzResult(
            target=target,
            identity=identity,
            operations=report["operations"]["tested"],
            cases=report["test_cases"]["generated"],
            requests=len(requests_made),
            server_errors=len(server_errors),
            failures=report["test_cases"]["unique_failures"],
        )
    )
    replay = f"(seed {FUZZ_SEED}: replay with FUZZ_SEED={FUZZ_SEED})"
    assert not server_errors, f"5xx answers {replay}:\n" + "\n".join(server_errors[:20])
    assert report["operations"]["tested"] == operation_count(spec)
    assert not report["errors"], f"{replay}\n{completed.stdout[-6000:]}"
    assert not report["failures"], f"{replay}\n{completed.stdout[-8000:]}"


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("spec_path", SPECS, ids=lambda path: path.stem)
def test_no_server_error_and_schema_conformance(site, spec_path, identity, tmp_path):
    target = spec_path.stem.removeprefix("patchwork-api-")
    run_schemathesis(site, relaxed_spec(spec_path), target, identity, phases(spec_path), tmp_path)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_extensions_no_server_error_and_schema_conformance(site, identity, tmp_path):
    """The OpenAPI document of the extensions beyond Patchwork, when the server has one."""
    response = requests.get(f"{site.url}{EXTENSIONS_DOCUMENT}", timeout=30)
    if response.status_code == 404:
        pytest.skip(f"the server has no {EXTENSIONS_DOCUMENT}")
    assert response.status_code == 200
    spec = yaml.safe_load(response.text)
    run_schemathesis(site, spec, "extensions", identity, "coverage,fuzzing", tmp_path)
