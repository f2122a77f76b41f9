"""Tests of the load generator (bench/loadgen.py) against a tiny local HTTP server."""

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.loadgen import (
    LoadSpecError,
    RequestSpec,
    encode_request,
    load_spec,
    parse_head,
    run_load,
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"hello ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/close":
            self.send_response(404)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"gone")
            self.close_connection = True
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    def do_PATCH(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        self.send_response(200 if body == b'{"state": "new"}' else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def spec_for(port: int, paths: list[str], **overrides) -> dict:
    return {
        "host": "127.0.0.1",
        "port": port,
        "concurrency": 2,
        "duration_s": 0.3,
        "warmup_s": 0.05,
        "requests": [{"method": "GET", "path": path} for path in paths],
        **overrides,
    }


@pytest.mark.parametrize("paths", [["/length"], ["/chunked"], ["/length", "/chunked"]])
def test_run_load_counts_responses(server_port, paths):
    result = asyncio.run(run_load(load_spec(spec_for(server_port, paths))))
    assert result["errors"] == 0
    assert result["requests"] > 0
    assert result["statuses"] == {"200": result["requests"]}
    assert result["latency"]["count"] == result["requests"]
    assert result["rps"] > 0


def test_run_load_reconnects_when_the_server_closes(server_port):
    result = asyncio.run(run_load(load_spec(spec_for(server_port, ["/close"]))))
    assert result["errors"] == 0
    assert result["statuses"] == {"404": result["requests"]}


def test_request_count_is_bounded(server_port):
    spec = spec_for(
        server_port, ["/length"], max_requests=7, min_samples=5, warmup_s=0, duration_s=5
    )
    result = asyncio.run(run_load(load_spec(spec)))
    assert result["requests"] == 7
    assert result["measured_s"] < 5


def test_a_short_run_goes_on_until_it_has_enough_samples(server_port):
    """Slow endpoints still get min_samples measured responses, not one or none."""
    spec = spec_for(server_port, ["/length"], duration_s=0.001, min_samples=15)
    result = asyncio.run(run_load(load_spec(spec)))
    assert result["requests"] >= 15


def test_patch_requests_send_their_body(server_port):
    request = {"method": "PATCH", "path": "/p", "body": '{"state": "new"}'}
    result = asyncio.run(run_load(load_spec(spec_for(server_port, [], requests=[request]))))
    assert result["statuses"] == {"200": result["requests"]}


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.1", "example.org", "0.0.0.0"])
def test_refuses_hosts_other_than_loopback(host):
    with pytest.raises(LoadSpecError):
        load_spec(spec_for(8000, ["/"], host=host))


@pytest.mark.parametrize(
    "overrides",
    [
        {"duration_s": 0},
        {"duration_s": 3600},
        {"concurrency": 0},
        {"concurrency": 1000},
        {"max_requests": 0},
        {"max_requests": 10**9},
        {"max_requests": 5, "min_samples": 6},
        {"requests": []},
    ],
)
def test_refuses_unbounded_or_empty_runs(overrides):
    with pytest.raises(LoadSpecError):
        load_spec(spec_for(8000, ["/"], **overrides))


def test_encode_request_adds_host_and_length():
    encoded = encode_request(
        RequestSpec("PATCH", "/api/patches/1/", {"Authorization": "Token abc"}, '{"a": 1}'),
        "127.0.0.1",
        8000,
    )
    head, body = encoded.split(b"\r\n\r\n", 1)
    assert head.splitlines()[0] == b"PATCH /api/patches/1/ HTTP/1.1"
    assert b"Host: 127.0.0.1:8000" in head
    assert b"Content-Length: 8" in head
    assert body == b'{"a": 1}'


@pytest.mark.parametrize(
    ("head", "status", "keep_alive"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3", 200, True),
        (b"HTTP/1.1 404 Not Found\r\nConnection: close", 404, False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 3", 200, False),
    ],
)
def test_parse_head(head, status, keep_alive):
    parsed_status, headers, parsed_keep_alive = parse_head(head)
    assert (parsed_status, parsed_keep_alive) == (status, keep_alive)
    assert all(name == name.lower() for name in headers)
