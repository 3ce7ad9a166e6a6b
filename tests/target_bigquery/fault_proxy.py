"""An HTTP proxy on 127.0.0.1 that puts BigQuery API failures in front of the emulator.

Retry code is only trustworthy if it has met the failures it claims to
survive: 503s and 429s from the API, 403s that must not be retried, and
connections reset either before the request reaches the server or after the
server acted on it (so the answer is lost and a blind retry would load the
batch twice). Faults are armed per method and path prefix, each for a
number of matching requests; every request is recorded with what was done.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal, Self
from urllib.parse import urlsplit

from local_servers.local_server import LocalServer

Action = Literal["status", "reset_before", "reset_after"]
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection"}
_UPSTREAM_TIMEOUT_SECONDS = 120


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A reset connection is the point of this server, not an error worth a traceback."""


@dataclass
class Fault:
    """Answer the next `times` requests whose method matches and whose path starts with `path_prefix` with a
    status (and a BigQuery-style error body), or by resetting the connection; the first `after` such
    requests still go through."""

    method: str
    path_prefix: str
    action: Action = "status"
    status: int = 503
    reason: str = "backendError"
    times: int = 1
    after: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and method == self.method and path.startswith(self.path_prefix)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    outcome: str


class FaultProxy(LocalServer):
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream.rstrip("/")
        self._upstream_host = parts.hostname or "127.0.0.1"
        self._upstream_port = parts.port or 80
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.seen: list[Seen] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def outcomes(self, outcome: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.outcome == outcome]

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    return fault
        return None

    def _record(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self.seen.append(Seen(method, path, outcome))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                self._proxy()

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def _proxy(self) -> None:
                body = self._read_body()
                fault = proxy._take_fault(self.command, self.path)
                if fault is not None and fault.action == "status":
                    proxy._record(self.command, self.path, f"status {fault.status}")
                    self._send_error(fault)
                    return
                if fault is not None and fault.action == "reset_before":
                    proxy._record(self.command, self.path, "reset before")
                    self._reset()
                    return
                status, headers, payload = self._forward(body)
                if fault is not None:
                    proxy._record(self.command, self.path, "reset after")
                    self._reset()
                    return
                proxy._record(self.command, self.path, f"forwarded {status}")
                self.send_response(status)
                for name, value in headers:
                    if name.lower() == "location":
                        value = value.replace(proxy.upstream, proxy.endpoint)
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while (size := int(self.rfile.readline().strip(), 16)) > 0:
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(
                    proxy._upstream_host, proxy._upstream_port, timeout=_UPSTREAM_TIMEOUT_SECONDS
                )
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                    headers["Content-Length"] = str(len(body))
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
                    return response.status, kept, payload
                finally:
                    connection.close()

            def _send_error(self, fault: Fault) -> None:
                message = f"injected by the test proxy: {fault.reason}"
                payload = json.dumps(
                    {
                        "error": {
                            "code": fault.status,
                            "message": message,
                            "status": "UNAVAILABLE",
                            "errors": [{"reason": fault.reason, "message": message}],
                        }
                    }
                ).encode()
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _reset(self) -> None:
                """Close with SO_LINGER 0, so the client sees a reset, not a clean end."""
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

        return Handler
