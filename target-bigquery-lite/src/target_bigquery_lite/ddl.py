"""Creating and evolving stream tables without ever losing data.

A new SCHEMA may add columns, widen types or change the key. Columns are
added, and REQUIRED ones relaxed, by a table update before the load that
needs them (the emulator, unlike BigQuery, cannot relax during a load).
Types follow the core's evolution rule, which never narrows; a change
BigQuery cannot make in place (INT64 -> NUMERIC, anything -> JSON or
STRING) rewrites the table in one CREATE OR REPLACE ... AS SELECT with a
lossless conversion. Columns a schema no longer lists stay, NULLABLE.

A new table is only described here (new_table, which checks its layout
settings when the SCHEMA arrives); the loader creates it just before the
run's first write to it.

Other target processes (one per tap shard) may be doing the same DDL on the
same dataset and tables at the same moment. Every step therefore tolerates
having been beaten to it: a dataset or table that exists already is used,
and an update that finds the table changed since it was read (412 on the
stale etag, or the emulator's failed commit) is worked out again from a
fresh read, so a column another process added already is not added twice
(conflicts.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from google.api_core import exceptions as api
from google.cloud import bigquery

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver.evolution import evolved_type
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from target_bigquery_lite import column_types, sql
from target_bigquery_lite.conflicts import ddl_conflict_retrying
from target_bigquery_lite.connection import NO_RETRY
from target_bigquery_lite.jobs import JobRunner
from target_bigquery_lite.settings import TableLayout

REQUIRED = "REQUIRED"
NULLABLE = "NULLABLE"


@dataclass(frozen=True)
class TypeChange:
    column: str
    from_type: str
    to_type: str


def ensure_dataset(client: bigquery.Client, dataset_id: str, location: str | None) -> None:
    """Create the dataset unless it exists (409, absorbed by exists_ok); a
    creation that raced another process's is tried again, and then finds it."""
    dataset = bigquery.Dataset(dataset_id)
    dataset.location = location
    ddl_conflict_retrying(dataset_id)(client.create_dataset, dataset, exists_ok=True, retry=NO_RETRY)


def create_table(
    client: bigquery.Client, jobs: JobRunner, table: bigquery.Table, stream: StreamSchema, columns: Mapping[str, str]
) -> tuple[bigquery.Table, bool]:
    """Create the stream's table as new_table described it, or, when another
    process created it meanwhile, make that one fit `stream` as evolve_table
    does. The flag says whether this call created it: only then is it the
    run's to delete again (loader.close), since the other process may be
    about to write to a table it created."""
    table_id = sql.table_path(table)
    for attempt in ddl_conflict_retrying(table_id):
        with attempt:
            try:
                return client.create_table(table, retry=NO_RETRY), True
            except api.Conflict:
                evolved = evolve_table(client, jobs, table_id, stream, columns)
                if evolved is not None:
                    return evolved[1], False
                # Deleted again since (its creator's run failed): create it after all.
                raise
    raise AssertionError("the last attempt returns or raises")


def create_run_table(client: bigquery.Client, table: bigquery.Table) -> bigquery.Table:
    """Create a table only this run uses (a staging table, a table aside); one
    that exists is an earlier attempt's."""
    return ddl_conflict_retrying(sql.table_path(table))(client.create_table, table, exists_ok=True, retry=NO_RETRY)


def evolve_table(
    client: bigquery.Client, jobs: JobRunner, table_id: str, stream: StreamSchema, columns: Mapping[str, str]
) -> tuple[StreamSchema, bigquery.Table] | None:
    """Make an existing table fit `stream`; return the schema records must be
    decoded to and the table as it now is, or None when there is no such table.
    Columns are added and relaxed from a fresh read of the table each time an
    update loses a race with another process's."""
    evolved = ddl_conflict_retrying(table_id)(_evolve_columns, client, table_id, stream, columns)
    if evolved is None:
        return None
    effective, table, changes = evolved
    if changes:
        table = change_types(client, jobs, table, changes)
    return effective, table


def _evolve_columns(
    client: bigquery.Client, table_id: str, stream: StreamSchema, columns: Mapping[str, str]
) -> tuple[StreamSchema, bigquery.Table, list[TypeChange]] | None:
    """Add the columns the table lacks and relax the REQUIRED ones the key no
    longer holds, in one update conditional on the table's etag as just read;
    return the effective schema, the table, and the type changes still to make."""
    try:
        table = client.get_table(table_id, retry=NO_RETRY)
    except api.NotFound:
        return None
    keys = {columns[k] for k in stream.key_properties}
    fields = {f.name.lower(): f for f in table.schema}
    schema = list(table.schema)
    changes: list[TypeChange] = []
    effective: list[Column] = []
    for column in stream.columns:
        name = columns[column.name]
        field = fields.get(name.lower())
        if field is None:
            schema.append(bigquery.SchemaField(name, column_types.NATIVE_TYPES[column.type], mode=NULLABLE))
            effective.append(column)
            continue
        wanted = evolved_type(column_types.logical_of(field.field_type), column.type)
        to_type = column_types.changed_type(field.field_type, wanted)
        if to_type is not None:
            changes.append(TypeChange(field.name, field.field_type, to_type))
            # The column's new type may hold more than `wanted` (FLOAT64 becomes
            # BIGNUMERIC): decode to what it holds, not to what a widening
            # would ask for again.
            wanted = column_types.logical_of(to_type) or wanted
        effective.append(Column(column.name, wanted))
    new_schema = [relaxed(f) if f.mode == REQUIRED and f.name not in keys else f for f in schema]
    if new_schema != list(table.schema):
        table.schema = new_schema
        table = client.update_table(table, ["schema"], retry=NO_RETRY)
    return stream.with_columns(effective), table, changes


def change_types(
    client: bigquery.Client, jobs: JobRunner, table: bigquery.Table, changes: Sequence[TypeChange]
) -> bigquery.Table:
    replacements = ", ".join(
        f"{column_types.conversion(sql.quoted(c.column), c.from_type, c.to_type)} AS {sql.quoted(c.column)}"
        for c in changes
    )
    select = f"SELECT * REPLACE ({replacements}) FROM {sql.quoted(sql.table_path(table))}"
    jobs.query(sql.replace_table(table, select))
    return client.get_table(table.reference, retry=NO_RETRY)


def new_table(table_id: str, stream: StreamSchema, columns: Mapping[str, str], layout: TableLayout) -> bigquery.Table:
    """The table to create for `stream`, not created yet; refuses layout
    settings that do not fit the stream."""
    keys = {columns[k] for k in stream.key_properties}
    table = bigquery.Table(
        table_id,
        schema=[
            bigquery.SchemaField(
                columns[c.name],
                column_types.NATIVE_TYPES[c.type],
                mode=REQUIRED if columns[c.name] in keys else NULLABLE,
            )
            for c in stream.columns
        ],
    )
    types = {columns[c.name]: column_types.NATIVE_TYPES[c.type] for c in stream.columns}
    if layout.partition_by is not None:
        field = _layout_column(columns, layout.partition_by, "partition_by", stream.stream)
        if types[field] not in ("TIMESTAMP", "DATE"):
            raise LoadError(f"partition_by property {layout.partition_by!r} is {types[field]}, not a date-time or date")
        table.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY, field=field)
    if layout.cluster_by:
        table.clustering_fields = [_layout_column(columns, p, "cluster_by", stream.stream) for p in layout.cluster_by]
    return table


def _layout_column(columns: Mapping[str, str], prop: str, setting: str, stream: str) -> str:
    if prop not in columns:
        raise LoadError(f"setting {setting!r} names {prop!r}, which is not a property of stream {stream!r}")
    return columns[prop]


def relaxed(field: bigquery.SchemaField) -> bigquery.SchemaField:
    return bigquery.SchemaField(
        field.name, field.field_type, mode=NULLABLE, description=field.description, fields=field.fields
    )
