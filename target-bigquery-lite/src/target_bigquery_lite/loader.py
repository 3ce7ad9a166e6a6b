"""BigQueryLoader: the core's Loader protocol implemented with load jobs.

Each flush of a stream becomes one Parquet file and one load job: straight
into the table for appends (a load job is atomic), or into a staging table
followed by one MERGE (upserts) or one CREATE OR REPLACE ... AS SELECT (the
first batch of an overwrite, so the old rows disappear only once the new
ones are in). Staging tables are per run and stream, expire after a day in
case the run dies, and are dropped at the end.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from google.cloud import bigquery

from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.capabilities import DecimalType, IdentifierRules, LoaderCapabilities
from singer_lite_core.target_driver.identifiers import Identifiers
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.stream_schema import StreamSchema
from singer_lite_core.target_driver.tables import StreamTable
from target_bigquery_lite import ddl, sql
from target_bigquery_lite.column_types import standard
from target_bigquery_lite.connection import NO_RETRY, make_client
from target_bigquery_lite.jobs import JobRunner, is_transient
from target_bigquery_lite.parquet_batch import FileColumn, parquet_file
from target_bigquery_lite.settings import TableLayout, table_layouts

log = logging.getLogger(__name__)

CAPABILITIES = LoaderCapabilities(
    # NUMERIC: 38 digits, 9 of them after the point; BIGNUMERIC beyond (76.76
    # digits, 38 after the point; Arrow's decimal256(76, 38) holds its range
    # but for the last fraction of an integer digit).
    decimal=DecimalType(38, 9),
    wide_decimal=DecimalType(76, 38),
    max_identifier_length=300,
    identifier_length_unit="chars",
    # Column names (and table names in case-insensitive datasets) ignore case.
    case_insensitive_identifiers=True,
    preferred_batch_format="parquet",
    identifier_rules=IdentifierRules(
        disallowed_characters="^A-Za-z0-9_",
        replacement="_",
        leading_digit_allowed=False,
        reserved_prefixes=("_TABLE_", "_FILE_", "_PARTITION", "_ROW_TIMESTAMP", "__ROOT__", "_COLIDENTIFIER"),
        max_table_name_length=1024,
    ),
)
IDENTIFIERS = Identifiers(CAPABILITIES, "BigQuery")

STAGE_LIFETIME = timedelta(days=1)


@dataclass
class _BigQueryTable(StreamTable):
    """A stream's table with what only BigQuery needs: the table as it now is
    (fetched again after each rewrite), the prefix of its jobs' ids and its
    staging table."""

    table: bigquery.Table
    job_prefix: str
    stage_id: str


class BigQueryLoader:
    capabilities = CAPABILITIES

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._client = make_client(config)
        self._dataset = f"{config['project']}.{config['dataset']}"
        self._location = config.get("location")
        self._layouts = table_layouts(config)
        self._run_id = uuid.uuid4().hex[:12]
        self._jobs = JobRunner(self._client, self._run_id, config["job_timeout_seconds"])
        self._tables: dict[str, _BigQueryTable] = {}
        self._stages: set[str] = set()
        self._dataset_ready = False

    def prepare(self, schema: StreamSchema) -> StreamSchema:
        if not self._dataset_ready:
            ddl.ensure_dataset(self._client, self._dataset, self._location)
            self._dataset_ready = True
        columns = IDENTIFIERS.columns(schema.names)
        effective, table = ddl.ensure_table(
            self._client,
            self._jobs,
            f"{self._dataset}.{IDENTIFIERS.table(schema.stream)}",
            schema,
            columns,
            self._layouts.get(schema.stream, TableLayout()),
        )
        digest = hashlib.sha256(schema.stream.encode()).hexdigest()[:8]
        self._tables[schema.stream] = _BigQueryTable(
            sql.table_path(table),
            columns,
            schema.key_properties,
            table=table,
            job_prefix=digest,
            stage_id=f"{self._dataset}._tbl_stage_{self._run_id}_{digest}",
        )
        return effective

    def load(self, batch: Batch) -> None:
        """Append straight to the table; stage, then swap (the first batch of an
        overwrite) or MERGE on the key (streams with key properties)."""
        target = self._tables[batch.schema.stream]
        data = self._file(target, batch)
        name = f"{target.job_prefix}_{batch.line_of(0)}"
        if not batch.replace_table and not target.keys:
            self._jobs.load(data, target.path, self._load_config(target.table.schema), f"{name}_append")
            return
        self._stage(target)
        self._jobs.load(
            data, target.stage_id, self._load_config(_nullable(target.table.schema), truncate=True), f"{name}_stage"
        )
        if batch.replace_table:
            select = f"SELECT * FROM {sql.quoted(target.stage_id)}"
            self._jobs.query(sql.replace_table(target.table, select), f"{name}_swap")
            target.table = self._client.get_table(target.table.reference, retry=NO_RETRY)
        else:
            columns = target.columns_of(batch.table.column_names)
            self._jobs.query(sql.merge(target.path, target.stage_id, columns, target.keys), f"{name}_merge")

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        target = self._tables[schema.stream]
        self._jobs.query(
            sql.retire_versions(
                target.path, target.column(meta.TABLE_VERSION), target.column(meta.DELETED_AT), version, hard_delete
            )
        )

    def is_transient(self, error: BaseException) -> bool:
        return is_transient(error)

    def close(self) -> None:
        """Drop this run's staging tables; a failure here only leaves tables that
        expire by themselves, so it must not hide the run's own outcome."""
        for stage_id in self._stages:
            try:
                self._client.delete_table(stage_id, not_found_ok=True, retry=NO_RETRY)
            except Exception as error:  # noqa: BLE001 - cleanup is best effort
                log.warning("could not drop staging table %s (it expires within a day): %s", stage_id, error)
        self._client.close()  # type: ignore[no-untyped-call]  # google-cloud-bigquery leaves close unannotated

    def _file(self, target: _BigQueryTable, batch: Batch) -> Any:
        """The batch as Parquet in the table's types (the core has widened any
        NUMERIC column whose values need BIGNUMERIC already)."""
        by_column = {target.column(p).lower(): p for p in batch.table.column_names}
        columns = [
            FileColumn(f.name, standard(f.field_type), by_column.get(f.name.lower())) for f in target.table.schema
        ]
        return parquet_file(batch.table, columns)

    def _stage(self, target: _BigQueryTable) -> None:
        if target.stage_id in self._stages:
            return
        stage = bigquery.Table(target.stage_id, schema=_nullable(target.table.schema))
        stage.expires = datetime.now(UTC) + STAGE_LIFETIME
        self._client.create_table(stage, exists_ok=True, retry=NO_RETRY)
        self._stages.add(target.stage_id)

    @staticmethod
    def _load_config(schema: list[bigquery.SchemaField], truncate: bool = False) -> bigquery.LoadJobConfig:
        return bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET,
            schema=schema,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE
            if truncate
            else bigquery.WriteDisposition.WRITE_APPEND,
            create_disposition=bigquery.CreateDisposition.CREATE_NEVER,
        )


def _nullable(schema: list[bigquery.SchemaField]) -> list[bigquery.SchemaField]:
    return [ddl.relaxed(f) for f in schema]
