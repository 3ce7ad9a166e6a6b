"""Downloading TLC files: streamed, retried, resumable and cached.

Monthly trip files are hundreds of megabytes behind a CDN that sometimes
resets connections or answers 503; a serious tap waits and resumes from the
byte it had (HTTP Range) instead of failing a nightly run or starting over.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import orjson
import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential
from tenacity.wait import wait_base

from singer_lite_core.errors import InputError, where

log = logging.getLogger(__name__)
T = TypeVar("T")

_CHUNK = 64 << 10
_MAX_RETRY_AFTER_SECONDS = 300.0
_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class RemoteVersion:
    """What identifies one published version of a remote file."""

    size: int | None
    etag: str | None
    last_modified: str | None


class TransientHTTPError(Exception):
    """A status worth retrying (429, 5xx), with the wait the server asked for, if any."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HttpFetcher:
    def __init__(self, cache_dir: Path, attempts: int, backoff_seconds: float, timeout_seconds: float) -> None:
        self._cache_dir = cache_dir
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._timeout = timeout_seconds
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "tap-nyc-taxi"

    def version(self, url: str) -> RemoteVersion | None:
        """The file's current version, or None when the server has no such file (404)."""
        response = self._retrying(lambda: self._request("HEAD", url), url)
        if response.status_code == 404:
            return None
        return _version_of(response)

    def fetch(self, url: str, version: RemoteVersion) -> Path:
        """A local copy of `url` at `version`, downloading only what the cache lacks."""
        target = self._cache_dir / _cache_name(url)
        if _read_sidecar(target) == version and target.exists():
            log.info("using cached %s", target.name)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        if _read_sidecar(partial) != version:
            partial.unlink(missing_ok=True)
        _write_sidecar(partial, version)
        self._retrying(lambda: self._download(url, partial, version), url)
        os.replace(partial, target)
        _write_sidecar(target, version)
        _sidecar(partial).unlink(missing_ok=True)
        return target

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
        response = self._session.request(method, url, headers=headers, stream=stream, timeout=self._timeout)
        if response.status_code in _TRANSIENT_STATUS:
            response.close()
            raise TransientHTTPError(f"{where(source=url)}: HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400 and response.status_code != 404:
            response.close()
            raise InputError(f"{where(source=url)}: HTTP {response.status_code} {response.reason}")
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


def _cache_name(url: str) -> str:
    """Cache files keep the TLC's name, under a folder per host and path."""
    scheme_less = url.split("://", 1)[1]
    host_path, _, name = scheme_less.rpartition("/")
    folder = host_path.replace(":", "_").replace("/", "_")
    return f"{folder}/{name}"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".version.json")


def _read_sidecar(path: Path) -> RemoteVersion | None:
    try:
        return RemoteVersion(**orjson.loads(_sidecar(path).read_bytes()))
    except (OSError, orjson.JSONDecodeError, TypeError):
        return None


def _write_sidecar(path: Path, version: RemoteVersion) -> None:
    _sidecar(path).write_bytes(orjson.dumps(asdict(version)))
