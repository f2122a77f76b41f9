"""One HTTP POST of a delivery, to the address the target check resolved (no redirects
followed, a timeout on connecting and on each read, the answer read up to a limit)."""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from patchwork_api.limits import WEBHOOK_RESPONSE_MAX_BYTES, WEBHOOK_TIMEOUT_SECONDS
from webhooks.targets import IPAddress, TargetRefused, port_of, resolve, split_target

USER_AGENT = "patchwork-api-webhooks/1"


@dataclass
class PostResult:
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST ``body``; never raises: a refused target or a network error is the result's
    ``error``."""
    started = time.monotonic()
    result = PostResult()
    try:
        parts = split_target(url)
        port = port_of(parts)
        address = resolve(parts.hostname, port)[0]
        connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = connection_class(parts.hostname, port, address, WEBHOOK_TIMEOUT_SECONDS)
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        try:
            connection.request(
                "POST", path, body=body, headers={"User-Agent": USER_AGENT, **headers}
            )
            response = connection.getresponse()
            response.read(WEBHOOK_RESPONSE_MAX_BYTES)
            result.status_code = response.status
            if not result.ok:
                result.error = f"HTTP {response.status} {response.reason}"[:500]
        finally:
            connection.close()
    except TargetRefused as error:
        result.error = f"refused: {error}"[:500]
    except (OSError, http.client.HTTPException) as error:
        result.error = f"{type(error).__name__}: {error}"[:500]
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result
