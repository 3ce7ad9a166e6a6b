"""Quoting and the few statements the loader sends: MERGE, table rewrites and
ACTIVATE_VERSION retirement, written once for upserts, overwrites and type
changes alike."""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud import bigquery

from singer_lite_core.errors import LoadError


def quoted(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def table_path(table: bigquery.Table | bigquery.TableReference) -> str:
    return f"{table.project}.{table.dataset_id}.{table.table_id}"


def merge(target: str, stage: str, columns: Sequence[str], keys: Sequence[str]) -> str:
    """Upsert the staged rows; the core already kept only the last row per key,
    so each target row matches at most one staged row."""
    match = " AND ".join(f"T.{quoted(k)} = S.{quoted(k)}" for k in keys)
    updates = ", ".join(f"{quoted(c)} = S.{quoted(c)}" for c in columns if c not in keys)
    column_list = ", ".join(map(quoted, columns))
    values = ", ".join(f"S.{quoted(c)}" for c in columns)
    matched = f"WHEN MATCHED THEN UPDATE SET {updates} " if updates else ""
    return (
        f"MERGE {quoted(target)} T USING {quoted(stage)} S ON {match} "
        f"{matched}WHEN NOT MATCHED THEN INSERT ({column_list}) VALUES ({values})"
    )


def replace_table(table: bigquery.Table, select: str) -> str:
    """Replace the table atomically by a query's result, keeping its partitioning
    and clustering: the swap of an overwrite and the rewrite of a type change."""
    return f"CREATE OR REPLACE TABLE {quoted(table_path(table))}{_layout(table)} AS {select}"


def retire_versions(table_id: str, version_column: str, deleted_column: str, version: int, hard: bool) -> str:
    older = f"({quoted(version_column)} IS NULL OR {quoted(version_column)} < {int(version)})"
    if hard:
        return f"DELETE FROM {quoted(table_id)} WHERE {older}"
    return (
        f"UPDATE {quoted(table_id)} SET {quoted(deleted_column)} = CURRENT_TIMESTAMP() "
        f"WHERE {older} AND {quoted(deleted_column)} IS NULL"
    )


def _layout(table: bigquery.Table) -> str:
    clauses = ""
    partitioning = table.time_partitioning
    if table.range_partitioning is not None or (partitioning is not None and not partitioning.field):
        raise LoadError(
            f"table {table.table_id} is range- or ingestion-time partitioned, which this target cannot rewrite"
        )
    if partitioning is not None:
        field = next(f for f in table.schema if f.name == partitioning.field)
        unit = partitioning.type_ or "DAY"
        if field.field_type == "DATE":
            expression = quoted(field.name) if unit == "DAY" else f"DATE_TRUNC({quoted(field.name)}, {unit})"
        else:
            expression = f"TIMESTAMP_TRUNC({quoted(field.name)}, {unit})"
        clauses += f" PARTITION BY {expression}"
    if table.clustering_fields:
        clauses += " CLUSTER BY " + ", ".join(map(quoted, table.clustering_fields))
    return clauses
