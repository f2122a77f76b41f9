"""HTTP load generator, run as its own process: ``python -m bench.loadgen < spec.json``.

A small asyncio HTTP/1.1 client: ``concurrency`` workers each send one request at a time
(round robin over the spec's requests), reconnecting whenever the server closes the
connection (gunicorn's sync workers close after every response).  Latency is measured
from before connecting to the last byte of the body.  Only loopback hosts are accepted,
and every run is bounded in duration and in request count.

A warm-up phase (at least one response per worker) precedes the measured phase, which
runs for ``duration_s`` and past it until ``min_samples`` responses are in (never longer
than MAX_DURATION_S).  The JSON spec: ``{"host", "port", "concurrency", "duration_s",
"warmup_s", "max_requests", "min_samples", "requests": [{"method", "path", "headers",
"body"}]}``; the result printed on stdout: counts, status codes, requests/s and the
latency summary.
"""

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field

from bench.stats import summarize_latencies

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_DURATION_S = 60.0
MAX_REQUESTS = 200_000
MAX_CONCURRENCY = 64
READ_TIMEOUT_S = 30.0


class LoadSpecError(ValueError):
    """The spec asks for something the generator refuses to do."""


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass(frozen=True)
class LoadSpec:
    host: str
    port: int
    requests: tuple[RequestSpec, ...]
    concurrency: int = 1
    duration_s: float = 5.0
    warmup_s: float = 0.5
    max_requests: int = 20_000
    min_samples: int = 20


@dataclass
class RunState:
    """What the workers of one phase share: the next request, the clock and the samples.

    A phase ends at ``deadline`` once ``min_samples`` responses are in, and in any case
    at ``hard_deadline`` or after ``max_requests`` requests.
    """

    encoded: tuple[bytes, ...]
    deadline: float
    hard_deadline: float
    max_requests: int
    min_samples: int = 0
    issued: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    response_bytes: int = 0


def load_spec(data: dict) -> LoadSpec:
    """Validate a decoded JSON spec, refusing non-loopback hosts and unbounded runs."""
    host = str(data.get("host", "127.0.0.1"))
    if host not in LOOPBACK_HOSTS:
        raise LoadSpecError(f"refusing to send load to {host!r}: only loopback is allowed")
    requests = tuple(
        RequestSpec(
            method=str(item.get("method", "GET")).upper(),
            path=str(item["path"]),
            headers={str(k): str(v) for k, v in item.get("headers", {}).items()},
            body=item.get("body"),
        )
        for item in data.get("requests", [])
    )
    if not requests:
        raise LoadSpecError("the spec has no requests")
    spec = LoadSpec(
        host=host,
        port=int(data["port"]),
        requests=requests,
        concurrency=int(data.get("concurrency", 1)),
        duration_s=float(data.get("duration_s", 5.0)),
        warmup_s=float(data.get("warmup_s", 0.5)),
        max_requests=int(data.get("max_requests", 20_000)),
        min_samples=int(data.get("min_samples", 20)),
    )
    check_bounds(spec)
    return spec


def check_bounds(spec: LoadSpec) -> None:
    if not 1 <= spec.concurrency <= MAX_CONCURRENCY:
        raise LoadSpecError(f"concurrency must be 1..{MAX_CONCURRENCY}")
    if not 0 < spec.duration_s <= MAX_DURATION_S:
        raise LoadSpecError(f"duration must be within (0, {MAX_DURATION_S}] seconds")
    if not 0 <= spec.warmup_s <= MAX_DURATION_S:
        raise LoadSpecError(f"warmup must be within [0, {MAX_DURATION_S}] seconds")
    if not 1 <= spec.max_requests <= MAX_REQUESTS:
        raise LoadSpecError(f"max_requests must be 1..{MAX_REQUESTS}")
    if not 0 <= spec.min_samples <= spec.max_requests:
        raise LoadSpecError("min_samples must be within 0..max_requests")


def encode_request(request: RequestSpec, host: str, port: int) -> bytes:
    body = request.body.encode() if request.body is not None else b""
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_head(head: bytes) -> tuple[int, dict[str, str], bool]:
    """Status, lower-cased headers and whether the connection may be reused."""
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    return int(status), headers, keep_alive


async def read_chunked(reader: asyncio.StreamReader) -> int:
    size_total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return size_total
        await reader.readexactly(size + 2)
        size_total += size


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Read one response; return (status, body bytes, connection reusable)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status, headers, keep_alive = parse_head(head[:-4])
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return status, await read_chunked(reader), keep_alive
    if "content-length" in headers:
        length = int(headers["content-length"])
        await reader.readexactly(length)
        return status, length, keep_alive
    body = await reader.read()
    return status, len(body), False


def next_request(state: RunState) -> bytes | None:
    now = time.perf_counter()
    if now >= state.hard_deadline or state.issued >= state.max_requests:
        return None
    if now >= state.deadline and len(state.latencies_ms) >= state.min_samples:
        return None
    payload = state.encoded[state.issued % len(state.encoded)]
    state.issued += 1
    return payload


async def worker(state: RunState, host: str, port: int) -> None:
    """Send requests one at a time until the phase ends, recording each response."""
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while (payload := next_request(state)) is not None:
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(payload)
            status, size, keep_alive = await asyncio.wait_for(
                read_response(reader), READ_TIMEOUT_S
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            state.errors.append(f"{type(error).__name__}: {error}")
            writer = close_quietly(writer)
            continue
        state.latencies_ms.append((time.perf_counter() - started) * 1000.0)
        state.statuses[str(status)] = state.statuses.get(str(status), 0) + 1
        state.response_bytes += size
        if not keep_alive:
            writer = close_quietly(writer)
    close_quietly(writer)


def close_quietly(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()
    return None


async def run_phase(
    spec: LoadSpec, encoded: tuple[bytes, ...], duration_s: float, min_samples: int
) -> tuple[RunState, float]:
    """Run every worker for one phase; return its state and its length in seconds."""
    started = time.perf_counter()
    state = RunState(
        encoded=encoded,
        deadline=started + duration_s,
        hard_deadline=started + MAX_DURATION_S,
        max_requests=spec.max_requests,
        min_samples=min_samples,
    )
    await asyncio.gather(*(worker(state, spec.host, spec.port) for _ in range(spec.concurrency)))
    return state, max(time.perf_counter() - started, 1e-9)


async def run_load(spec: LoadSpec) -> dict:
    """Warm up (every worker gets at least one response, so gunicorn's workers have loaded
    the application), then measure; return the result as a JSON-ready dict."""
    encoded = tuple(encode_request(r, spec.host, spec.port) for r in spec.requests)
    await run_phase(spec, encoded, spec.warmup_s, min_samples=spec.concurrency)
    state, measured_s = await run_phase(spec, encoded, spec.duration_s, spec.min_samples)
    return {
        "concurrency": spec.concurrency,
        "measured_s": round(measured_s, 3),
        "requests": len(state.latencies_ms),
        "rps": round(len(state.latencies_ms) / measured_s, 1),
        "statuses": state.statuses,
        "errors": len(state.errors),
        "first_errors": state.errors[:5],
        "mean_response_bytes": (
            round(state.response_bytes / len(state.latencies_ms)) if state.latencies_ms else 0
        ),
        "latency": summarize_latencies(state.latencies_ms),
    }


def main() -> int:
    try:
        spec = load_spec(json.load(sys.stdin))
    except (LoadSpecError, KeyError, ValueError, TypeError) as error:
        print(json.dumps({"error": str(error)}))
        return 2
    print(json.dumps(asyncio.run(run_load(spec))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
