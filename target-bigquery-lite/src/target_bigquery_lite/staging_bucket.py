"""Staging flushed batches as parquet objects in a GCS bucket (the `bucket` setting).

The load job then reads the object's gs:// URI instead of bytes sent with
the job, as Google's own GCS-to-BigQuery flow does. An object's name is
fixed by the run, the table and the batch, so the committer's retry of a
load uploads over its own object and its load job keeps its id (jobs.py);
a URI is always one object, never a wildcard. An object is deleted only
once the load (and the MERGE) that read it is done: BigQuery does not
promise a consistent read of objects that change under a running job. A
failed run's objects stay, for a bucket lifecycle rule to remove.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import IO, Any

from google.api_core import exceptions as api

from singer_lite_core.errors import LoadError
from target_bigquery_lite.connection import NO_RETRY, make_storage_client
from target_bigquery_lite.jobs import is_transient

log = logging.getLogger(__name__)

# google-cloud-storage prefixes its messages with the request's method and URL.
_REQUEST_PREFIX = re.compile(r"^[A-Z]+ \S+: ")


class StagingBucket:
    def __init__(self, config: Mapping[str, Any], run_id: str, timeout_seconds: int) -> None:
        self._client = make_storage_client(config)
        self._bucket = self._client.bucket(config["bucket"])
        prefix = (config.get("bucket_prefix") or "").strip("/")
        self._folder = "/".join(p for p in (prefix, config["dataset"]) if p)
        self._run_id = run_id
        self._timeout = timeout_seconds
        self._clean_up = config["clean_up_staged_objects"]

    def upload(self, data: IO[bytes], table: str, batch_name: str) -> str:
        """Write the batch's parquet file as its object (over one a failed attempt
        left) and return the object's URI. Transient errors go back to the
        committer for a retry; others are a LoadError naming the object."""
        name = f"{self._folder}/{table}/{self._run_id}/{batch_name}.parquet"
        uri = f"gs://{self._bucket.name}/{name}"
        blob = self._bucket.blob(name)
        size = data.seek(0, 2)
        data.seek(0)
        try:
            blob.upload_from_file(
                data, size=size, content_type="application/vnd.apache.parquet", timeout=self._timeout, retry=NO_RETRY
            )
        except api.GoogleAPICallError as error:
            if is_transient(error):
                raise
            raise LoadError(f"{uri}: cannot stage the batch: {self._refusal(error)}") from None
        return uri

    def committed(self, uri: str) -> None:
        """The load that read the object is committed: delete it unless asked to
        keep it. Failing to delete only leaves it behind, which is worth a warning."""
        if not self._clean_up:
            return
        name = uri.removeprefix(f"gs://{self._bucket.name}/")
        try:
            self._bucket.blob(name).delete(timeout=self._timeout, retry=NO_RETRY)
        except Exception as error:  # noqa: BLE001 - deleting is best effort
            log.warning("could not delete the staged object %s, whose rows are loaded: %s", uri, _message(error))

    def close(self) -> None:
        self._client.close()

    def _refusal(self, error: api.GoogleAPICallError) -> str:
        if isinstance(error, api.NotFound):
            return f"bucket {self._bucket.name!r} does not exist"
        if isinstance(error, api.Forbidden):
            return (
                f"permission denied on bucket {self._bucket.name!r} "
                "(the account needs storage.objects.create and storage.objects.delete on it): "
                f"{_message(error)}"
            )
        return f"GCS {error.code}: {_message(error)}"


def _message(error: BaseException) -> str:
    """The API's message: google-cloud-storage puts the whole response body,
    after the request's method and URL, into its exceptions' text."""
    if not isinstance(error, api.GoogleAPICallError):
        return str(error)
    details = [e.get("message") for e in (error.errors or []) if isinstance(e, dict) and e.get("message")]
    if details:
        return str(details[0])
    try:
        return str(error.response.json()["error"]["message"])
    except (AttributeError, ValueError, KeyError, TypeError):
        return _REQUEST_PREFIX.sub("", error.message)
