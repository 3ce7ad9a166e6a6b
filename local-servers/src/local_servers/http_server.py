"""A local file server that misbehaves on request, standing in for the TLC's CDN.

Downloads of monthly trip files must survive 503s, rate limiting and connections
reset mid-body, and resume with HTTP Range requests. This server serves a
directory with the validators a resumable client relies on (Content-Length,
ETag, Last-Modified, Range, If-Range) and injects those faults per path at run
time, while recording every request so tests can assert on the retries.

Like the TLC's CloudFront, which fronts a bucket that cannot be listed, it can
answer a missing key 403 with S3's AccessDenied XML instead of 404; and like a
GitHub release it can redirect a path to another server (302).
"""

from __future__ import annotations

import email.utils
import os
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, Self
from urllib.parse import quote, unquote, urlsplit

from local_servers.local_server import LocalServer

_CHUNK_BYTES = 64 * 1024
_IDLE_CONNECTION_SECONDS = 10.0
_SHUTDOWN_POLL_SECONDS = 0.05
_CONTENT_TYPES = {
    ".parquet": "application/octet-stream",
    ".csv": "text/csv; charset=utf-8",
    ".gz": "application/gzip",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as answered; recorded before any body byte is sent, so a client never outruns it."""

    method: str
    path: str
    range: str | None
    status: int
    cut_after: int | None = None


@dataclass
class _StatusFault:
    status: int
    remaining: int
    retry_after: int | None


@dataclass
class _CutFault:
    after_bytes: int
    remaining: int


_S3_ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
)


class _RangeNotSatisfiableError(Exception):
    pass


def _normalise_path(path: str) -> str:
    return "/" + unquote(urlsplit(path).path).lstrip("/")


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single `bytes=` range, or None to send the whole file.

    Syntax the server does not support (several ranges, other units, garbage)
    is ignored rather than rejected, as RFC 9110 allows.
    """
    if header is None or not header.startswith("bytes=") or "," in header:
        return None
    first_text, dash, last_text = header[len("bytes=") :].strip().partition("-")
    well_formed = all(text == "" or text.isdigit() for text in (first_text, last_text))
    if not dash or not well_formed or not (first_text or last_text):
        return None
    if not first_text:
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise _RangeNotSatisfiableError
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        raise _RangeNotSatisfiableError
    return first, min(last, size - 1)


class _ServerState:
    """What the handler threads share: the served root, the armed faults and the request log."""

    def __init__(self, root: Path, missing_as_access_denied: bool) -> None:
        self.root = root
        self.missing_as_access_denied = missing_as_access_denied
        self._lock = threading.Lock()
        self._redirects: dict[str, str] = {}
        self._status_faults: dict[str, _StatusFault] = {}
        self._cut_faults: dict[str, _CutFault] = {}
        self._requests: list[RecordedRequest] = []

    def arm_status(self, path: str, fault: _StatusFault) -> None:
        with self._lock:
            self._status_faults[path] = fault

    def arm_cut(self, path: str, fault: _CutFault) -> None:
        with self._lock:
            self._cut_faults[path] = fault

    def add_redirect(self, prefix: str, target: str) -> None:
        with self._lock:
            self._redirects[prefix] = target

    def redirect_for(self, path: str) -> str | None:
        with self._lock:
            for prefix, target in self._redirects.items():
                if path.startswith(prefix):
                    return target + quote(path[len(prefix) :])
        return None

    def take_status_fault(self, path: str) -> _StatusFault | None:
        with self._lock:
            fault = self._status_faults.get(path)
            if fault is None or fault.remaining == 0:
                return None
            fault.remaining -= 1
            return fault

    def take_cut(self, path: str) -> int | None:
        with self._lock:
            fault = self._cut_faults.get(path)
            if fault is None or fault.remaining == 0:
                return None
            fault.remaining -= 1
            return fault.after_bytes

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def recorded(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def forget_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def resolve(self, path: str) -> Path | None:
        candidate = (self.root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate


class _FileHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: _ServerState) -> None:
        super().__init__(("127.0.0.1", 0), _FileRequestHandler)
        self.state = state

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: tuple[str, int]
    ) -> None:
        """Clients hanging up (or connections the server cut on purpose) are normal here, not errors."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _FileRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_CONNECTION_SECONDS
    server: _FileHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: tests and benchmarks read the recorded requests instead."""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _record(self, path: str, status: int, cut_after: int | None = None) -> None:
        record = RecordedRequest(self.command, path, self.headers.get("Range"), int(status), cut_after)
        self.server.state.record(record)

    def _answer(self, send_body: bool) -> None:
        path = _normalise_path(self.path)
        state = self.server.state
        fault = state.take_status_fault(path)
        if fault is not None:
            self._record(path, fault.status)
            self._send_short(fault.status, send_body, fault.retry_after)
            return
        location = state.redirect_for(path)
        if location is not None:
            self._record(path, HTTPStatus.FOUND)
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file_path = state.resolve(path)
        if file_path is None and state.missing_as_access_denied:
            self._record(path, HTTPStatus.FORBIDDEN)
            self._send_short(HTTPStatus.FORBIDDEN, send_body, body=_S3_ACCESS_DENIED, content_type="application/xml")
            return
        if file_path is None:
            self._record(path, HTTPStatus.NOT_FOUND)
            self._send_short(HTTPStatus.NOT_FOUND, send_body)
            return
        with open(file_path, "rb") as handle:
            self._send_file(path, handle, send_body)

    def _send_short(
        self,
        status: int,
        send_body: bool,
        retry_after: int | None = None,
        body: bytes | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        body = body if body is not None else f"{status} {HTTPStatus(status).phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _validators(self, handle: BinaryIO) -> tuple[int, str, str, float]:
        """Size, ETag and Last-Modified of the open file, so they describe exactly the bytes sent."""
        stat = os.fstat(handle.fileno())
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        return stat.st_size, etag, email.utils.formatdate(stat.st_mtime, usegmt=True), stat.st_mtime

    def _not_modified(self, etag: str, mtime: float) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return if_none_match.strip() == "*" or etag in [tag.strip() for tag in if_none_match.split(",")]
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return int(mtime) <= since

    def _range_applies(self, etag: str, last_modified: str) -> bool:
        """If-Range: resume only while the file is the version the client started with."""
        if_range = self.headers.get("If-Range")
        return if_range is None or if_range.strip() in (etag, last_modified)

    def _send_file(self, path: str, handle: BinaryIO, send_body: bool) -> None:
        size, etag, last_modified, mtime = self._validators(handle)
        if self._not_modified(etag, mtime):
            self._record(path, HTTPStatus.NOT_MODIFIED)
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        requested = self.headers.get("Range") if self._range_applies(etag, last_modified) else None
        try:
            byte_range = _byte_range(requested, size)
        except _RangeNotSatisfiableError:
            self._record(path, HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = byte_range if byte_range is not None else (0, size - 1)
        length = last - first + 1
        status = HTTPStatus.PARTIAL_CONTENT if byte_range is not None else HTTPStatus.OK
        cut_after = self.server.state.take_cut(path) if send_body else None
        self._record(path, status, cut_after)
        self.send_response(status)
        self.send_header("Content-Type", _CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        if byte_range is not None:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if send_body:
            self._send_bytes(handle, first, length, cut_after)

    def _send_bytes(self, handle: BinaryIO, first: int, length: int, cut_after: int | None) -> None:
        sending = length if cut_after is None else min(length, cut_after)
        handle.seek(first)
        remaining = sending
        while remaining > 0:
            chunk = handle.read(min(_CHUNK_BYTES, remaining))
            if not chunk:
                break
            self.wfile.write(chunk)
            remaining -= len(chunk)
        if sending < length:
            self._hang_up()

    def _hang_up(self) -> None:
        """End the connection mid-body, as a CDN edge resetting a long download does."""
        self.close_connection = True
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)


class FileServer(LocalServer):
    """Serves `directory` on 127.0.0.1 at a free port; use as a context manager.

    Faults are keyed by URL path (e.g. "/yellow_tripdata_2021-01.parquet";
    the leading slash is optional) and can be armed while the server runs.
    `missing_as_access_denied` answers a missing file as the TLC's CloudFront
    does: 403 with S3's `<Code>AccessDenied</Code>` XML body.
    """

    def __init__(self, directory: str | os.PathLike[str], *, missing_as_access_denied: bool = False) -> None:
        root = Path(directory).resolve()
        if not root.is_dir():
            raise NotADirectoryError(f"not a directory: {root}")
        self._state = _ServerState(root, missing_as_access_denied)
        self._server: _FileHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the server is already running")
        self._server = _FileHTTPServer(self._state)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _SHUTDOWN_POLL_SECONDS},
            name=f"FileServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:43121."""
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + quote(_normalise_path(path))

    def fail(self, path: str, status: int = 503, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` requests for `path` (GET or HEAD) with `status` before serving normally."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        HTTPStatus(status)
        self._state.arm_status(_normalise_path(path), _StatusFault(status, times, retry_after))

    def redirect(self, prefix: str, target: str) -> None:
        """Answer every request under the path `prefix` with 302 to `target` + the rest of the path, as
        github.com does for a release asset (target e.g. another server's url_for("assets/"))."""
        self._state.add_redirect(_normalise_path(prefix), target)

    def cut(self, path: str, after_bytes: int, times: int = 1) -> None:
        """Close the connection after `after_bytes` body bytes on the next `times` GETs of `path`.

        Headers still announce the full length, so the client sees a short body.
        A response shorter than `after_bytes` is sent whole but still uses up an attempt.
        """
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        if after_bytes < 0:
            raise ValueError(f"after_bytes must be non-negative, got {after_bytes}")
        self._state.arm_cut(_normalise_path(path), _CutFault(after_bytes, times))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far, oldest first (a snapshot)."""
        return self._state.recorded()

    def clear_requests(self) -> None:
        self._state.forget_requests()
