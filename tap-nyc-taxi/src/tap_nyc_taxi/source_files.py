"""One input file, local or remote, and the fingerprint that says whether it changed.

The bookmark of a trip file is only valid for the bytes it was taken from:
the TLC republishes months now and then, and a local file can be replaced.
The fingerprint (size plus modification time, or ETag/Last-Modified) is
stored beside the bookmark so a changed file is read again from the start.
A bucket object's fingerprint is its GCS generation or S3 ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.remote_versions import Absent, RemoteVersion
from tap_nyc_taxi.source_forms import is_bucket, is_http


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
        return is_http(self.location) or is_bucket(self.location)


@dataclass(frozen=True)
class OpenedFile:
    """A source file pinned to one version, readable from a local path."""

    source: SourceFile
    fingerprint: Fingerprint
    _version: RemoteVersion | None

    def local_path(self, remote: RemoteFiles) -> Path:
        if self._version is None:
            return Path(self.source.location)
        return remote.fetch(self.source.location, self._version)


def open_source(source: SourceFile, remote: RemoteFiles) -> OpenedFile | Absent:
    """Pin the file's current version; Absent when it is not there (not published, or a wrong source)."""
    if source.is_remote:
        version = remote.version(source.location)
        if isinstance(version, Absent):
            return version
        return OpenedFile(source, Fingerprint(version.size, version.etag or version.last_modified), version)
    try:
        stat = Path(source.location).stat()
    except FileNotFoundError:
        return Absent(source.location, "no such file")
    return OpenedFile(source, Fingerprint(stat.st_size, str(stat.st_mtime_ns)), None)


def source_of(location: str) -> SourceFile:
    name = location.rstrip("/").rsplit("/", 1)[-1]
    return SourceFile(name, location if "://" in location else str(Path(location).expanduser()))
