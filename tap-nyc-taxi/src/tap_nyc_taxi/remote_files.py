"""Remote files, over http(s) or from a bucket, pinned to a version and cached.

A file is downloaded once per version: the cache keeps it beside a sidecar
naming the version it holds, and a download cut short keeps its bytes (with
its version) so an http download resumes where it stopped. The http client
(requests, tenacity) is loaded at the first http(s) location: a run on local
or bucket files starts without it, 50 ms sooner.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from tap_nyc_taxi.bucket_fetch import BucketFetcher
from tap_nyc_taxi.remote_versions import Absent, RemoteVersion
from tap_nyc_taxi.source_forms import is_bucket

if TYPE_CHECKING:
    from tap_nyc_taxi.http_fetch import HttpFetcher

log = logging.getLogger(__name__)


class RemoteFiles:
    def __init__(self, cache_dir: Path, attempts: int, backoff_seconds: float, timeout_seconds: float) -> None:
        self._cache_dir = cache_dir
        self._http_settings = (attempts, backoff_seconds, timeout_seconds)
        self._buckets = BucketFetcher()

    @cached_property
    def _http(self) -> HttpFetcher:
        from tap_nyc_taxi.http_fetch import HttpFetcher  # noqa: PLC0415 - see the module docstring

        return HttpFetcher(*self._http_settings)

    def version(self, location: str) -> RemoteVersion | Absent:
        """The file's current version, or Absent when it is not there."""
        return self._buckets.version(location) if is_bucket(location) else self._http.version(location)

    def list(self, prefix: str) -> list[str]:
        """The objects directly under a bucket prefix (an http server cannot be listed)."""
        return self._buckets.list(prefix)

    def fetch(self, location: str, version: RemoteVersion) -> Path:
        """A local copy of `location` at `version`, downloading only what the cache lacks."""
        target = self._cache_dir / _cache_name(location)
        if _read_sidecar(target) == version and target.exists():
            log.info("using cached %s", target.name)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        if _read_sidecar(partial) != version:
            partial.unlink(missing_ok=True)
        _write_sidecar(partial, version)
        if is_bucket(location):
            log.info("downloading %s", location)
            self._buckets.download(location, partial, version)
        else:
            self._http.download(location, partial, version)
        os.replace(partial, target)
        _write_sidecar(target, version)
        _sidecar(partial).unlink(missing_ok=True)
        return target


def _cache_name(location: str) -> str:
    """Cache files keep the file's own name, under a folder per host (or bucket) and path."""
    host_path, _, name = location.split("://", 1)[1].rpartition("/")
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
