"""target-bigquery-lite pointed at one fresh dataset of the session's emulator.

The session's emulator reads gs:// load sources from the session's local GCS
API, which has STAGING_BUCKET, so any test may stage through a bucket; with
BIGQUERY_BACKEND_BUCKET=1 in the environment every backend does (the
behavioural suite then runs through GCS staging).
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
from google.api_core import exceptions as api
from google.cloud import bigquery

from local_servers.bigquery_emulator import BigQueryEmulator
from local_servers.gcs_server import GcsServer
from target_bigquery_lite.column_types import logical_of
from target_bigquery_lite.loader import IDENTIFIERS
from tests.support.backend import Backend

# Port 9 (discard) has no API behind it, so every request is refused.
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"
SERVICE_ACCOUNT_KEY = '{"type": "service_account", "private_key": "%s", "client_email": "x@y"}'
STAGING_BUCKET = "staging"


@dataclass
class BigQueryBackend(Backend, name="bigquery", bad_timestamp_error="{value!r} is not a date-time"):
    emulator: BigQueryEmulator
    client: bigquery.Client
    dataset: str
    staged: bool = False

    def config(self, **overrides: Any) -> dict[str, Any]:
        """Settings for the emulator; an override of None removes the setting."""
        staging = {"bucket": STAGING_BUCKET} if self.staged else {}
        config = {**self.pipeline_config(), "retry_attempts": 3, **staging, **overrides}
        return {k: v for k, v in config.items() if v is not None}

    def pipeline_config(self, **overrides: Any) -> dict[str, Any]:
        return {
            "project": self.emulator.project,
            "dataset": self.dataset,
            "api_endpoint": self.emulator.endpoint,
            **overrides,
        }

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row.values()) for row in self.client.query(sql).result()]

    def quote(self, name: str) -> str:
        return f"`{name}`"

    def table_id(self, stream: str) -> str:
        return f"{self.emulator.project}.{self.dataset}.{IDENTIFIERS.table(stream)}"

    def table(self, stream: str) -> str:
        return f"`{self.table_id(stream)}`"

    def column_types(self, stream: str) -> dict[str, str]:
        return {
            f.name: (t.value if (t := logical_of(f.field_type)) else f.field_type)
            for f in self.client.get_table(self.table_id(stream)).schema
        }

    def bigquery_types(self, stream: str) -> dict[str, tuple[str, str]]:
        """Column -> (BigQuery type as the API reports it, mode)."""
        return {f.name: (f.field_type, f.mode) for f in self.client.get_table(self.table_id(stream)).schema}

    def tables(self) -> set[str]:
        try:
            return {t.table_id for t in self.client.list_tables(f"{self.emulator.project}.{self.dataset}")}
        except api.NotFound:
            return set()

    def unreachable_settings(self) -> dict[str, Any]:
        return {"api_endpoint": UNREACHABLE_ENDPOINT}

    def secret_settings(self, secret: str) -> dict[str, Any]:
        """A key file holding `secret`; without api_endpoint the target really reads it."""
        key_file = self.tmp_path / "key.json"
        key_file.write_text(SERVICE_ACCOUNT_KEY % secret)
        return {"credentials_path": str(key_file), "api_endpoint": None}


@contextlib.contextmanager
def staging_gcs() -> Iterator[GcsServer]:
    """The session's GCS API, with STAGING_BUCKET; started before the emulator, which reads from it."""
    with GcsServer() as server:
        server.client().create_bucket(STAGING_BUCKET)
        yield server


def warm_up_gs_loads(emulator: BigQueryEmulator, gcs: GcsServer) -> None:
    """Run the emulator's first gs:// load alone: it creates a DuckDB secret, which
    concurrent first loads race on ("Catalog write-write conflict")."""
    data = io.BytesIO()
    pq.write_table(pa.table({"id": [1]}), data)
    dataset = f"{emulator.project}.warm_up"
    with contextlib.closing(gcs.client()) as storage, contextlib.closing(emulator.client()) as client:
        blob = storage.bucket(STAGING_BUCKET).blob("warm-up.parquet")
        blob.upload_from_string(data.getvalue())
        client.create_dataset(dataset, exists_ok=True)
        config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.PARQUET)
        client.load_table_from_uri(f"gs://{STAGING_BUCKET}/warm-up.parquet", f"{dataset}.t", job_config=config).result()
        client.delete_dataset(dataset, delete_contents=True)
        blob.delete()


@contextlib.contextmanager
def bigquery_backend(emulator: BigQueryEmulator, tmp_path: Path) -> Iterator[BigQueryBackend]:
    """A back end on a dataset of its own, deleted with its tables afterwards. The
    target processes a test starts reach the emulator's GCS API as the emulator does."""
    dataset = f"t_{uuid.uuid4().hex[:10]}"
    staged = os.environ.get("BIGQUERY_BACKEND_BUCKET") == "1"
    storage = (
        {} if emulator.storage_emulator_host is None else {"STORAGE_EMULATOR_HOST": emulator.storage_emulator_host}
    )
    with contextlib.closing(emulator.client()) as client, mock.patch.dict(os.environ, storage):
        try:
            yield BigQueryBackend(tmp_path=tmp_path, emulator=emulator, client=client, dataset=dataset, staged=staged)
        finally:
            client.delete_dataset(f"{emulator.project}.{dataset}", delete_contents=True, not_found_ok=True)
