"""BigQueryLoader: the core's Loader protocol implemented with load jobs.

Each flush of a stream becomes one Parquet file and one load job: straight
into the table for appends (a load job is atomic), or into a staging table
followed by one MERGE (upserts). The job reads the file sent with it, or,
with a `bucket`, staged there as an object (staging_bucket.py); a tap's
gs:// batch file already in the table's types is read where it is. An
overwrite loads the same way into a table aside, and one CREATE OR REPLACE
... AS SELECT from it at the end of the input swaps the new rows in, so the
old rows disappear only once all the new ones are in. Staging tables and
tables aside are per run and stream, expire after a day in case the run
dies, and are dropped at the end.

DDL is not transactional here, so a new table is created just before the
run's first write to it, and deleted again at the end of the run if that
write failed (the table is then empty). Only a table this run's own create
made is deleted so: one that another process (a concurrent shard) created
first is used as it is, made to fit the stream, and left alone, since that
process may be about to write to it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import urlsplit

from google.cloud import bigquery

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.batch_files import local_path, opened
from singer_lite_core.target_driver.capabilities import DecimalType, IdentifierRules, LoaderCapabilities
from singer_lite_core.target_driver.identifiers import Identifiers, digest
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.stream_schema import StreamSchema
from singer_lite_core.target_driver.tables import StreamTable
from target_bigquery_lite import ddl, sql
from target_bigquery_lite.column_types import standard
from target_bigquery_lite.connection import NO_RETRY, make_client
from target_bigquery_lite.jobs import JobRunner, is_transient
from target_bigquery_lite.parquet_batch import FileColumn, loads_as_is, parquet_file
from target_bigquery_lite.settings import TableLayout, table_layouts
from target_bigquery_lite.staging_bucket import StagingBucket

log = logging.getLogger(__name__)

CAPABILITIES = LoaderCapabilities(
    # NUMERIC: 38 digits, 9 of them after the point; BIGNUMERIC beyond (76.76
    # digits, 38 after the point; Arrow's decimal256(76, 38) holds its range
    # but for the last fraction of an integer digit).
    decimal=DecimalType(38, 9),
    wide_decimal=DecimalType(76, 38),
    # Neither holds NaN or Infinity (FLOAT64 does: number_as_float).
    decimal_holds_nan_and_infinity=False,
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


@dataclass(kw_only=True)
class _BigQueryTable(StreamTable):
    """A stream's table with what only BigQuery needs: the table as it now is
    (fetched again after a type change rewrites it), or as it will be created until it
    `exists`; the stream's schema that table was made to fit (a table another
    process creates first is made to fit it too); for an overwrite, the table
    aside as it now is once made; the prefix of its jobs' ids and its staging table."""

    table: bigquery.Table
    schema: StreamSchema
    aside_table: bigquery.Table | None
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
        self._bucket = (
            StagingBucket(config, self._run_id, config["job_timeout_seconds"]) if config.get("bucket") else None
        )
        self._tables: dict[str, _BigQueryTable] = {}
        self._stages: set[str] = set()
        # Tables this run's own create made whose first write has not (yet) succeeded.
        self._unconfirmed: set[str] = set()
        self._dataset_ready = False

    def prepare(self, schema: StreamSchema, overwrite: bool) -> StreamSchema:
        """Evolve the table, and its table aside once this run has made it,
        alike; a table that does not exist is only described, for the first write."""
        columns = IDENTIFIERS.columns(schema.names)
        table_id = f"{self._dataset}.{IDENTIFIERS.table(schema.stream)}"
        evolved = ddl.evolve_table(self._client, self._jobs, table_id, schema, columns)
        if evolved is None:
            layout = self._layouts.get(schema.stream, TableLayout())
            effective, table = schema, ddl.new_table(table_id, schema, columns, layout)
        else:
            effective, table = evolved
        previous = self._tables.get(schema.stream)
        aside_table = None if previous is None else previous.aside_table
        if aside_table is not None:
            effective, aside_table = self._evolve_aside(aside_table, effective, columns)
        hashed = digest(schema.stream)
        self._tables[schema.stream] = _BigQueryTable(
            sql.table_path(table),
            columns,
            schema.key_properties,
            exists=evolved is not None,
            aside=f"{self._dataset}._tbl_new_{self._run_id}_{hashed}" if overwrite else None,
            table=table,
            schema=schema,
            aside_table=aside_table,
            job_prefix=hashed,
            stage_id=f"{self._dataset}._tbl_stage_{self._run_id}_{hashed}",
        )
        return effective

    def load(self, batch: Batch) -> None:
        """Append straight to the table the rows go to; or stage, then MERGE on
        the key (streams with key properties)."""
        target = self._tables[batch.schema.stream]
        written = self._writable(target)
        name = f"{target.job_prefix}_{batch.name}"
        with self._source(written, target, batch) as source:
            if target.keys:
                self._stage(target, written)
                load_config = self._load_config(_nullable(written.schema), truncate=True)
                self._load(source, target.stage_id, load_config, f"{name}_stage")
                columns = target.columns_of(batch.table.column_names)
                self._jobs.query(sql.merge(target.written, target.stage_id, columns, target.keys), f"{name}_merge")
            else:
                self._load(source, target.written, self._load_config(written.schema), f"{name}_append")
        self._unconfirmed.discard(target.written)

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        target = self._tables[schema.stream]
        self._writable(target)
        self._jobs.query(
            sql.retire_versions(
                target.written, target.column(meta.TABLE_VERSION), target.column(meta.DELETED_AT), version, hard_delete
            )
        )
        self._unconfirmed.discard(target.written)

    def finish(self, stream: str) -> None:
        """Create the table of a stream that had no write; swap an overwrite's
        rows in with one statement (the table aside goes in close)."""
        target = self._tables[stream]
        self._writable(target)
        self._unconfirmed.discard(target.written)
        if target.aside is None:
            return
        select = f"SELECT * FROM {sql.quoted(target.aside)}"
        self._jobs.query(sql.replace_table(target.table, select), f"{target.job_prefix}_swap")

    def is_transient(self, error: BaseException) -> bool:
        return is_transient(error)

    def close(self) -> None:
        """Delete the tables this run created but never wrote to (their first
        write failed, so they are empty; one that is not stays), and drop this
        run's staging tables and tables aside. A failure here only leaves tables
        behind (staging ones expire by themselves), so it must not hide the
        run's own outcome."""
        for table_id in self._unconfirmed:
            try:
                if self._client.get_table(table_id, retry=NO_RETRY).num_rows == 0:
                    self._client.delete_table(table_id, not_found_ok=True, retry=NO_RETRY)
            except Exception as error:  # noqa: BLE001 - cleanup is best effort
                log.warning("could not delete %s, which this failed run created: %s", table_id, error)
        for stage_id in self._stages:
            try:
                self._client.delete_table(stage_id, not_found_ok=True, retry=NO_RETRY)
            except Exception as error:  # noqa: BLE001 - cleanup is best effort
                log.warning("could not drop staging table %s (it expires within a day): %s", stage_id, error)
        self._client.close()  # type: ignore[no-untyped-call]  # google-cloud-bigquery leaves close unannotated
        if self._bucket is not None:
            self._bucket.close()

    def _writable(self, target: _BigQueryTable) -> bigquery.Table:
        """The table the stream's rows go to (target.written), created now if
        this is the run's first write to it: the stream's table as prepare
        described it, or an overwrite's table aside with the table's columns.

        Another process may have created the stream's table since prepare
        found none; it is then made to fit the stream and is not the run's
        to delete. That still leaves one window: this run created it, its
        first write failed, and close() deletes it (empty) while another
        process that found it has not written to it yet; that process's write
        then fails with "Not found", having committed nothing, and its rerun
        creates the table again."""
        if target.aside is None:
            if not target.exists:
                self._ensure_dataset()
                target.table, created = ddl.create_table(
                    self._client, self._jobs, target.table, target.schema, target.columns
                )
                target.exists = True
                if created:
                    self._unconfirmed.add(target.path)
            return target.table
        if target.aside_table is None:
            self._ensure_dataset()
            self._stages.add(target.aside)
            aside = bigquery.Table(target.aside, schema=_nullable(target.table.schema))
            aside.expires = _expiry()
            target.aside_table = ddl.create_run_table(self._client, aside)
        return target.aside_table

    def _evolve_aside(
        self, aside: bigquery.Table, schema: StreamSchema, columns: Mapping[str, str]
    ) -> tuple[StreamSchema, bigquery.Table]:
        """Evolve the table aside as its table was; a type change rewrites it, which
        clears its expiry, so that is set again."""
        evolved = ddl.evolve_table(self._client, self._jobs, sql.table_path(aside), schema, columns)
        if evolved is None:
            raise LoadError(f"{sql.table_path(aside)}, which held the new rows, was deleted during the run")
        effective, aside = evolved
        if aside.expires is None:
            aside.expires = _expiry()
            aside = self._client.update_table(aside, ["expires"], retry=NO_RETRY)
        return effective, aside

    def _ensure_dataset(self) -> None:
        if not self._dataset_ready:
            ddl.ensure_dataset(self._client, self._dataset, self._location)
            self._dataset_ready = True

    @contextmanager
    def _source(self, written: bigquery.Table, target: _BigQueryTable, batch: Batch) -> Iterator[IO[bytes] | str]:
        """What the load job reads: the batch as Parquet in the types of the table it
        goes to (the core has widened any NUMERIC column whose values need BIGNUMERIC
        already), as a file or, with a bucket, the gs:// URI of that file staged,
        deleted once the load (and MERGE) committed; a tap's gs:// batch file that
        is such a file already is read where it is, and stays the tap's."""
        by_column = {target.column(p).lower(): p for p in batch.table.column_names}
        columns = [FileColumn(f.name, standard(f.field_type), by_column.get(f.name.lower())) for f in written.schema]
        if batch.file is not None and batch.file_as_sent and urlsplit(batch.file.uri).scheme == "gs":
            with opened(batch.file) as sent:
                as_is = loads_as_is(sent, columns)
            if as_is:
                log.info("%s: the batch file is loaded from where it is, in the table's types", batch.location())
                yield batch.file.uri
                return
        with self._file(columns, batch) as data:
            if self._bucket is None:
                yield data
                return
            uri = self._bucket.upload(data, IDENTIFIERS.table(batch.schema.stream), batch.name)
        yield uri
        self._bucket.committed(uri)

    @staticmethod
    def _file(columns: list[FileColumn], batch: Batch) -> IO[bytes]:
        """The tap's own local parquet file when it is what the load needs already, else one written here."""
        path = local_path(batch.file.uri) if batch.file is not None and batch.file_as_sent else None
        if path is not None and loads_as_is(path, columns):
            log.info("%s: the batch file is loaded as it is, in the table's types", batch.location())
            return open(path, "rb")
        return parquet_file(batch.table, columns)

    def _load(self, source: IO[bytes] | str, destination: str, config: bigquery.LoadJobConfig, name: str) -> None:
        if isinstance(source, str):
            self._jobs.load_uri(source, destination, config, name)
        else:
            self._jobs.load(source, destination, config, name)

    def _stage(self, target: _BigQueryTable, written: bigquery.Table) -> None:
        if target.stage_id in self._stages:
            return
        stage = bigquery.Table(target.stage_id, schema=_nullable(written.schema))
        stage.expires = _expiry()
        ddl.create_run_table(self._client, stage)
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


def _expiry() -> datetime:
    return datetime.now(UTC) + STAGE_LIFETIME
