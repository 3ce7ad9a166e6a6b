"""What identifies one published version of a remote file, or says there is none.

Shared by the http(s) and the bucket fetchers, so a file's fingerprint and its
cache entry mean the same whichever way it was reached.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteVersion:
    """ETag (http), object generation (GCS) or ETag (S3), with the size and modification time."""

    size: int | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class Absent:
    """The file is not there; `answer` is how the server said so, for the log line."""

    location: str
    answer: str
