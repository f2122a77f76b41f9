"""A real HTTP receiver on loopback for the webhook tests: it checks each delivery's
signature with the hook's secret and records it; it can be stopped and started again on
the same port (the receiver being down), and answer slowly."""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    delivery: str
    event_id: int
    category: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    secret: str
    delay: float = 0.0
    status: int = 200
    port: int = 0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.delay:
                    time.sleep(receiver.delay)
                expected = (
                    "sha256="
                    + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                signature_ok = hmac.compare_digest(
                    expected, self.headers.get("X-Patchwork-Signature", "")
                )
                data = json.loads(body)
                if receiver.status < 300:
                    with receiver.lock:
                        receiver.received.append(
                            Received(
                                self.headers.get("X-Patchwork-Delivery", ""),
                                data["id"],
                                data["category"],
                                dict(self.headers),
                                body,
                                signature_ok,
                            )
                        )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # a worker killed mid-request: nothing to report

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def deliveries(self) -> list[str]:
        with self.lock:
            return [item.delivery for item in self.received]

    def unique(self) -> dict[str, Received]:
        """The deliveries deduplicated by id, as a receiver should."""
        with self.lock:
            return {item.delivery: item for item in self.received}
