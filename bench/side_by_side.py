"""Side by side: the same read requests against several running servers, alternating.

``.venv/bin/python -m bench.side_by_side NAME=PORT [NAME=PORT ...] [--rounds N]
[--duration S] [--project LINKNAME]``: for every endpoint, each round measures every
server in turn (``bench.loadgen``: c=1, then c=8) so that a shared machine's load hits
them alike; prints a Markdown table of the median p50 at c=1 and req/s at c=8 over the
rounds, with the last server's speed-up over each other one (p50 ratio, req/s ratio),
and the 1-minute load average seen during the endpoint's runs.

The servers must hold the same data with the same ids (for example a Patchwork database
and a copy made with ``manage.py import-patchwork``, which keeps ids): the requests are
built once, from the first server's answers.
"""

import argparse
import json
import os
import statistics
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace

from bench.apiload import run_loadgen
from bench.config import BenchConfig, load_config

CONCURRENCY = (1, 8)


@dataclass(frozen=True)
class Target:
    name: str
    port: int


def parse_target(text: str) -> Target:
    name, _, port = text.partition("=")
    if not name or not port.isdigit():
        raise argparse.ArgumentTypeError(f"NAME=PORT expected, not {text!r}")
    return Target(name, int(port))


def get_json(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
        return json.load(answer)


def endpoints(port: int, project: str) -> dict[str, str]:
    """Read paths of the issue's table, ids taken from the server's own answers."""
    patches = get_json(port, f"/api/1.2/patches/?project={project}&order=-id&per_page=30")
    in_series = next(patch for patch in patches if patch["series"])
    series_id = in_series["series"][0]["id"]
    largest = largest_series(get_json(port, f"/api/1.2/series/?project={project}&per_page=100"))
    return {
        "patch list (30)": f"/api/1.2/patches/?project={project}&state=new&archived=false",
        "patch detail": f"/api/1.2/patches/{in_series['id']}/",
        "series list": f"/api/1.2/series/?project={project}",
        "events list": "/api/1.1/events/?category=series-completed&since=2017-01-01",
        "patch mbox": urllib.parse.urlsplit(in_series["mbox"]).path,
        "series mbox": f"/series/{series_id}/mbox/",
        f"series mbox ({len(largest['patches'])} patches)": f"/series/{largest['id']}/mbox/",
    }


def largest_series(page: list[dict]) -> dict:
    """The series with the most patches on a page of the series list (the first of them)."""
    return max(page, key=lambda series: (len(series["patches"]), -series["id"]))


def measure(targets: list[Target], paths: dict[str, str], rounds: int, config: BenchConfig):
    """(endpoint, target, concurrency) -> list of results, and endpoint -> load averages."""
    results: dict[tuple[str, str, int], list[dict]] = {}
    loads: dict[str, list[float]] = {}
    for endpoint, path in paths.items():
        for _ in range(rounds):
            for target in targets:
                for concurrency in CONCURRENCY:
                    request = {"method": "GET", "path": path}
                    result = run_loadgen(config, target.port, (request,), concurrency)
                    if result.get("errors") or set(result.get("statuses", {})) != {"200"}:
                        raise SystemExit(f"{target.name} {path}: {result}")
                    results.setdefault((endpoint, target.name, concurrency), []).append(result)
                    loads.setdefault(endpoint, []).append(os.getloadavg()[0])
    return results, loads


def table(targets: list[Target], paths: dict[str, str], results, loads) -> str:
    last = targets[-1].name
    head = ["endpoint"]
    for target in targets:
        head += [f"{target.name} p50 c=1 ms", f"{target.name} req/s c=8"]
    head += [f"{t.name} / {last} p50" for t in targets[:-1]]
    head += [f"{last} / {t.name} req/s" for t in targets[:-1]]
    head.append("load avg (range)")
    lines = ["| " + " | ".join(head) + " |", "|---" + "|--:" * (len(head) - 1) + "|"]
    for endpoint in paths:
        p50 = {
            t.name: statistics.median(
                r["latency"]["p50_ms"] for r in results[(endpoint, t.name, 1)]
            )
            for t in targets
        }
        rps = {
            t.name: statistics.median(r["rps"] for r in results[(endpoint, t.name, 8)])
            for t in targets
        }
        row = [endpoint]
        for target in targets:
            row += [f"{p50[target.name]:.1f}", f"{rps[target.name]:.1f}"]
        row += [f"{p50[t.name] / p50[last]:.1f}x" for t in targets[:-1]]
        row += [f"{rps[last] / rps[t.name]:.1f}x" for t in targets[:-1]]
        row.append(f"{min(loads[endpoint]):.2f}-{max(loads[endpoint]):.2f}")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", type=parse_target)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--project", default="dev")
    args = parser.parse_args(argv)
    paths = endpoints(args.targets[0].port, args.project)
    for endpoint, path in paths.items():
        print(f"{endpoint}: {path}", file=sys.stderr)
    config = replace(load_config(), duration_s=args.duration, warmup_s=1.0)
    results, loads = measure(args.targets, paths, args.rounds, config)
    print(table(args.targets, paths, results, loads))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
