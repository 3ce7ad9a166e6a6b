"""Downloading TLC files over http(s): streamed, retried and resumable.

Monthly trip files are hundreds of megabytes behind a CDN that sometimes
resets connections or answers 503; a serious tap waits and resumes from the
byte it had (HTTP Range) instead of failing a nightly run or starting over.

The TLC's CloudFront sits in front of a bucket that cannot be listed, so a
month not published yet is answered 403 with S3's `<Code>AccessDenied</Code>`
XML body, not 404; a 403 without that body is CloudFront throttling, retried
like a 429. Redirects (a GitHub release asset) are followed, and the version
is the final answer's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential
from tenacity.wait import wait_base

from singer_lite_core.errors import InputError, where
from tap_nyc_taxi.remote_versions import Absent, RemoteVersion

log = logging.getLogger(__name__)
T = TypeVar("T")

_CHUNK = 64 << 10
_MAX_RETRY_AFTER_SECONDS = 300.0
_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
_ERROR_BODY_BYTES = 4096
_S3_ACCESS_DENIED = b"<Code>AccessDenied</Code>"


class TransientHTTPError(Exception):
    """A status worth retrying (429, 5xx, a throttling 403), with the wait the server asked for, if any."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HttpFetcher:
    def __init__(self, attempts: int, backoff_seconds: float, timeout_seconds: float) -> None:
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._timeout = timeout_seconds
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "tap-nyc-taxi"

    def version(self, url: str) -> RemoteVersion | Absent:
        """The file's current version, or Absent when the server has no such file (404, 403 AccessDenied)."""
        return self._retrying(lambda: self._probe(url), url)

    def download(self, url: str, partial: Path, version: RemoteVersion) -> None:
        """Complete `partial` to the whole of `url` at `version`, resuming from the bytes it has."""
        self._retrying(lambda: self._download(url, partial, version), url)

    def _probe(self, url: str) -> RemoteVersion | Absent:
        with self._request("HEAD", url) as response:
            if response.status_code == 404:
                return Absent(url, "404 Not Found")
            if response.status_code != 403:
                return _version_of(response)
        # A HEAD answer has no body to tell an unpublished month from throttling: ask again for the body.
        with self._request("GET", url, stream=True) as response:
            if response.status_code == 403:
                return Absent(url, "403 AccessDenied")
            return Absent(url, "404 Not Found") if response.status_code == 404 else _version_of(response)

    def _download(self, url: str, partial: Path, version: RemoteVersion) -> None:
        have = partial.stat().st_size if partial.exists() else 0
        headers = {}
        if have:
            headers["Range"] = f"bytes={have}-"
            if version.etag or version.last_modified:
                headers["If-Range"] = version.etag or version.last_modified or ""
        with self._request("GET", url, headers=headers, stream=True) as response:
            if response.status_code == 404:
                raise InputError(f"{where(source=url)}: the server answered 404 Not Found")
            if response.status_code == 403:
                raise InputError(f"{where(source=url)}: the server answered 403 AccessDenied")
            resumed = response.status_code == 206
            if have and not resumed:
                log.info("%s: server restarted the download from the first byte", url)
            log.info("downloading %s%s", url, f" from byte {have}" if resumed else "")
            with open(partial, "ab" if resumed else "wb") as out:
                for chunk in response.iter_content(_CHUNK):
                    out.write(chunk)
        got = partial.stat().st_size
        if version.size is not None and got != version.size:
            raise requests.ConnectionError(f"download ended after {got} of {version.size} bytes")

    def _request(
        self, method: str, url: str, headers: dict[str, str] | None = None, stream: bool = False
    ) -> requests.Response:
        """The answer to one request; 404 and 403 AccessDenied are returned for the caller to judge."""
        response = self._session.request(method, url, headers=headers, stream=stream, timeout=self._timeout)
        status = response.status_code
        if status == 403 and method != "HEAD" and not _is_access_denied(response):
            response.close()
            raise TransientHTTPError(f"{where(source=url)}: HTTP 403 Forbidden without AccessDenied (throttled)", None)
        if status in _TRANSIENT_STATUS:
            response.close()
            raise TransientHTTPError(f"{where(source=url)}: HTTP {status}", _retry_after(response))
        if status >= 400 and status not in (403, 404):
            response.close()
            raise InputError(f"{where(source=url)}: HTTP {status} {response.reason}")
        return response

    def _retrying(self, action: Callable[[], T], url: str) -> T:
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=_ServerAwareWait(wait_exponential(multiplier=self._backoff, max=60)),
            retry=retry_if_exception(_is_transient),
            before_sleep=lambda state: log.warning(
                "%s: attempt %d failed (%s); retrying",
                url,
                state.attempt_number,
                _describe(state.outcome.exception() if state.outcome else None),
            ),
            reraise=True,
        )
        try:
            return retrying(action)
        except (TransientHTTPError, requests.RequestException) as error:
            raise InputError(
                f"{where(source=url)}: giving up after {self._attempts} attempts: {_describe(error)}"
            ) from None


class _ServerAwareWait(wait_base):
    """Exponential backoff, unless the server said how long to wait (Retry-After)."""

    def __init__(self, fallback: wait_base) -> None:
        self._fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, TransientHTTPError) and error.retry_after is not None:
            return min(error.retry_after, _MAX_RETRY_AFTER_SECONDS)
        return self._fallback(retry_state)


def _is_access_denied(response: requests.Response) -> bool:
    """S3's answer for a key it will not show (CloudFront passes it through): an unpublished month."""
    body = b""
    for chunk in response.iter_content(_ERROR_BODY_BYTES):
        body += chunk
        if len(body) >= _ERROR_BODY_BYTES:
            break
    return _S3_ACCESS_DENIED in body


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _is_transient(error: BaseException) -> bool:
    return isinstance(
        error,
        (TransientHTTPError, requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError),
    )


def _describe(error: BaseException | None) -> str:
    text = str(error)
    return text if len(text) < 200 else text[:200] + "..."


def _version_of(response: requests.Response) -> RemoteVersion:
    length = response.headers.get("Content-Length")
    return RemoteVersion(
        size=int(length) if length and length.isdigit() else None,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )
