"""Reading `gs://` and `s3://` objects through the fsspec family (gcsfs, s3fs).

Data lakes keep the TLC's files in a bucket; the objects are fingerprinted
like http files (the GCS object generation, the S3 ETag) and land in the same
download cache. Credentials come from each library's usual chain
(GOOGLE_APPLICATION_CREDENTIALS or the gcloud login; AWS_* variables, profiles
or the instance role), and endpoints from the variables those libraries
already read: AWS_ENDPOINT_URL for S3, STORAGE_EMULATOR_HOST for GCS, where
no credentials are asked for, as google-cloud-storage does. Errors name the
object and the library's reason, never a credential.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from singer_lite_core.errors import InputError, where
from tap_nyc_taxi.remote_versions import Absent, RemoteVersion

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

_REASON_CHARS = 200


class BucketFetcher:
    """One filesystem per scheme, made when first needed: s3fs and gcsfs take a while to import."""

    def __init__(self) -> None:
        self._filesystems: dict[str, AbstractFileSystem] = {}

    def version(self, location: str) -> RemoteVersion | Absent:
        try:
            info = self._filesystem(location).info(location)
        except FileNotFoundError:
            return Absent(location, "no such object")
        except PermissionError:
            return Absent(location, "403 AccessDenied")
        except Exception as error:  # noqa: BLE001 - the libraries raise their own kinds (botocore, google-auth, aiohttp); each becomes one line
            raise InputError(f"{where(source=location)}: {_reason(error)}") from None
        return _version_of(info)

    def list(self, prefix: str) -> list[str]:
        """The objects directly under `prefix`, as `scheme://bucket/key` locations."""
        scheme = prefix.split("://", 1)[0]
        try:
            names = self._filesystem(prefix).ls(prefix, detail=False)
        except FileNotFoundError:
            raise InputError(f"{where(source=prefix)}: no such bucket or prefix") from None
        except Exception as error:  # noqa: BLE001 - see version()
            raise InputError(f"{where(source=prefix)}: {_reason(error)}") from None
        return [f"{scheme}://{name}" for name in names]

    def download(self, location: str, partial: Path, version: RemoteVersion) -> None:
        try:
            self._filesystem(location).get_file(location, str(partial))
        except Exception as error:  # noqa: BLE001 - see version()
            raise InputError(f"{where(source=location)}: {_reason(error)}") from None
        got = partial.stat().st_size
        if version.size is not None and got != version.size:
            raise InputError(f"{where(source=location)}: download ended after {got} of {version.size} bytes")

    def _filesystem(self, location: str) -> AbstractFileSystem:
        scheme = location.split("://", 1)[0]
        if scheme not in self._filesystems:
            self._filesystems[scheme] = _new_filesystem(scheme)
        return self._filesystems[scheme]


def _new_filesystem(scheme: str) -> AbstractFileSystem:
    if scheme == "s3":
        import s3fs  # noqa: PLC0415 - costly import, only for s3:// sources

        return s3fs.S3FileSystem()
    # gcsfs.core's class, without the package's experimental one: that one first probes each bucket's type
    # over gRPC (which an emulator never answers) and takes two more seconds to import; reading needs neither.
    os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
    from gcsfs.core import GCSFileSystem  # noqa: PLC0415 - costly import, only for gs:// sources

    return GCSFileSystem(token="anon" if os.environ.get("STORAGE_EMULATOR_HOST") else None)


def _version_of(info: dict[str, Any]) -> RemoteVersion:
    """GCS names a version by its generation, S3 by its ETag; both carry a modification time."""
    identity = info.get("generation") or info.get("ETag") or info.get("etag")
    modified = info.get("updated") or info.get("LastModified") or info.get("mtime")
    size = info.get("size")
    return RemoteVersion(
        size=int(size) if size is not None else None,
        etag=str(identity) if identity else None,
        last_modified=str(modified) if modified else None,
    )


def _reason(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".splitlines()[0]
    return text if len(text) <= _REASON_CHARS else text[:_REASON_CHARS] + "..."
