"""One input file, local or remote, and the fingerprint that says whether it changed.

The bookmark of a trip file is only valid for the bytes it was taken from:
the TLC republishes months now and then, and a local file can be replaced.
The fingerprint (size plus modification time, or ETag/Last-Modified) is
stored beside the bookmark so a changed file is read again from the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from singer_lite_core.errors import InputError, where
from tap_nyc_taxi.http_fetch import HttpFetcher, RemoteVersion


@dataclass(frozen=True)
class Fingerprint:
    size: int | None
    modified: str | None

    def as_state(self) -> dict[str, object]:
        return {"size": self.size, "modified": self.modified}

    @classmethod
    def from_state(cls, value: dict[str, object]) -> Fingerprint:
        size = value.get("size")
        modified = value.get("modified")
        return cls(size if isinstance(size, int) else None, modified if isinstance(modified, str) else None)


@dataclass(frozen=True)
class SourceFile:
    name: str
    location: str

    @property
    def is_remote(self) -> bool:
        return self.location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class OpenedFile:
    """A source file pinned to one version, readable from a local path."""

    source: SourceFile
    fingerprint: Fingerprint
    _version: RemoteVersion | None

    def local_path(self, fetcher: HttpFetcher) -> Path:
        if self._version is None:
            return Path(self.source.location)
        return fetcher.fetch(self.source.location, self._version)


def open_source(source: SourceFile, fetcher: HttpFetcher) -> OpenedFile | None:
    """Pin the file's current version; None when a remote file is not published (404)."""
    if source.is_remote:
        version = fetcher.version(source.location)
        if version is None:
            return None
        return OpenedFile(source, Fingerprint(version.size, version.etag or version.last_modified), version)
    try:
        stat = Path(source.location).stat()
    except FileNotFoundError:
        raise InputError(f"{where(source=source.location)}: no such file") from None
    return OpenedFile(source, Fingerprint(stat.st_size, str(stat.st_mtime_ns)), None)


def source_of(location: str) -> SourceFile:
    name = location.rstrip("/").rsplit("/", 1)[-1]
    return SourceFile(name, location if "://" in location else str(Path(location).expanduser()))
