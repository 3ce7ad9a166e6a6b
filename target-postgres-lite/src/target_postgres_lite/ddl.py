"""Creating and evolving stream tables without ever losing data.

A new SCHEMA may add columns, widen types (int -> bigint -> numeric, to
text or jsonb where old and new types meet only there) or change the key.
Types follow the core's evolution rule, which never narrows; columns a
schema no longer lists stay, nullable; a new key is applied only if the rows
already there satisfy it, otherwise the change is refused. A stream without
key properties leaves an existing key in place.

A table is created only by the transaction of the run's first write to it,
and an overwrite's table aside starts as a copy of the table's definition;
its rows replace the table's in one transaction that keeps the table itself
(its grants, the views over it, its indexes).

Other runs may load the same schema at the same time (one per tap shard):
a change is made under advisory_locks.lock_definition, after a second look
at the table, so that two runs never both create the schema or the table,
add the same column or change the same key; a run that finds the change
made keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import cursor as PgCursor

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver.evolution import evolved_type
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from target_postgres_lite import column_types
from target_postgres_lite.advisory_locks import lock_definition
from target_postgres_lite.sql import qualified, quoted


@dataclass(frozen=True)
class TableInfo:
    columns: dict[str, tuple[str, bool]]
    primary_key: tuple[str, ...]
    primary_key_name: str | None


def table_info(cur: PgCursor, schema: str, table: str) -> TableInfo | None:
    cur.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum""",
        (schema, table),
    )
    rows = cur.fetchall()
    if not rows:
        return None
    cur.execute(
        """SELECT con.conname, array_agg(a.attname ORDER BY k.ord)
           FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
           WHERE n.nspname = %s AND c.relname = %s AND con.contype = 'p'
           GROUP BY con.conname""",
        (schema, table),
    )
    key = cur.fetchone()
    return TableInfo(
        {name: (kind, not_null) for name, kind, not_null in rows},
        tuple(key[1]) if key else (),
        key[0] if key else None,
    )


@dataclass(frozen=True)
class _Evolution:
    """What an existing table needs to fit a stream: statements in order, then
    a new key if `new_key`; `columns` are the types records decode to."""

    statements: tuple[str, ...]
    new_key: bool
    columns: tuple[Column, ...]


def evolve_table(
    cur: PgCursor, schema_name: str, table_name: str, stream: StreamSchema, columns: Mapping[str, str]
) -> StreamSchema | None:
    """Make an existing table fit `stream` and return the schema records must be
    decoded to; None when there is no such table (yet). Only a table that needs
    a change is locked, and looked at again under the lock."""
    info = table_info(cur, schema_name, table_name)
    if info is None:
        return None
    table = qualified(schema_name, table_name)
    evolution = _evolution(table, info, stream, columns)
    if evolution.statements or evolution.new_key:
        lock_definition(cur, schema_name, table_name)
        info = table_info(cur, schema_name, table_name)
        if info is None:
            raise LoadError(f"{table} was dropped by someone else while this run was changing it")
        evolution = _evolution(table, info, stream, columns)
        for statement in evolution.statements:
            cur.execute(statement)
        if evolution.new_key:
            _change_key(cur, table, stream, info, tuple(columns[k] for k in stream.key_properties))
    return stream.with_columns(evolution.columns)


def ensure_schema(cur: PgCursor, schema_name: str) -> None:
    """Create the schema unless it exists; two runs creating it at once would
    otherwise meet in pg_namespace's unique index."""
    cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema_name,))
    if cur.fetchone() is None:
        lock_definition(cur, schema_name)
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema_name)}")


def ensure_table(
    cur: PgCursor,
    schema_name: str,
    table_name: str,
    stream: StreamSchema,
    columns: Mapping[str, str],
    like: str | None = None,
) -> None:
    """Create the stream's table (as a copy of the table `like`, else from
    `stream`), unless another run has since this one looked: then make that
    table fit `stream`."""
    lock_definition(cur, schema_name, table_name)
    if evolve_table(cur, schema_name, table_name, stream, columns) is not None:
        return
    table = qualified(schema_name, table_name)
    if like is None:
        create_table(cur, table, stream, columns)
    else:
        create_like(cur, table, like)


def create_table(cur: PgCursor, table: str, stream: StreamSchema, columns: Mapping[str, str]) -> None:
    definitions = [f"{quoted(columns[c.name])} {column_types.NATIVE_TYPES[c.type]}" for c in stream.columns]
    if stream.key_properties:
        definitions.append(f"PRIMARY KEY ({', '.join(quoted(columns[k]) for k in stream.key_properties)})")
    cur.execute(f"CREATE TABLE {table} ({', '.join(definitions)})")


def create_like(cur: PgCursor, table: str, model: str) -> None:
    """An empty table with the model's columns, key, indexes and defaults."""
    cur.execute(f"CREATE TABLE {table} (LIKE {model} INCLUDING ALL)")


def swap_in(cur: PgCursor, schema_name: str, aside_name: str, table: str) -> None:
    """Replace the table's rows by the aside table's and drop it, in the caller's
    transaction. Every SCHEMA evolved both tables alike, so the table has every
    column of the table aside."""
    aside = qualified(schema_name, aside_name)
    info = table_info(cur, schema_name, aside_name)
    if info is None:
        raise LoadError(f"{aside}, which held the new rows, was dropped during the run")
    column_list = ", ".join(map(quoted, info.columns))
    cur.execute(f"TRUNCATE {table}")
    cur.execute(f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {aside}")
    cur.execute(f"DROP TABLE {aside}")


def _evolution(table: str, info: TableInfo, stream: StreamSchema, columns: Mapping[str, str]) -> _Evolution:
    keys = tuple(columns[k] for k in stream.key_properties)
    statements: list[str] = []
    effective = []
    for column in stream.columns:
        evolved, changes = _evolve_column(table, info, column, columns[column.name])
        effective.append(evolved)
        statements += changes
    listed = set(columns.values())
    statements += [
        f"ALTER TABLE {table} ALTER COLUMN {quoted(name)} DROP NOT NULL"
        for name, (_, not_null) in info.columns.items()
        if not_null and name not in listed and name not in keys
    ]
    return _Evolution(tuple(statements), bool(keys) and info.primary_key != keys, tuple(effective))


def _evolve_column(table: str, info: TableInfo, column: Column, name: str) -> tuple[Column, list[str]]:
    """The column's effective type, and the statements that make the table's column hold it."""
    existing = info.columns.get(name)
    if existing is None:
        return column, [f"ALTER TABLE {table} ADD COLUMN {quoted(name)} {column_types.NATIVE_TYPES[column.type]}"]
    native, not_null = existing
    statements = []
    if not_null and name not in info.primary_key:
        statements.append(f"ALTER TABLE {table} ALTER COLUMN {quoted(name)} DROP NOT NULL")
    wanted = evolved_type(column_types.logical_of(native), column.type)
    to_type = column_types.changed_type(native, wanted)
    if to_type is not None:
        statements.append(
            f"ALTER TABLE {table} ALTER COLUMN {quoted(name)} TYPE {to_type} "
            f"USING {column_types.conversion(quoted(name), to_type)}"
        )
    return Column(column.name, wanted), statements


def _change_key(cur: PgCursor, table: str, stream: StreamSchema, info: TableInfo, keys: tuple[str, ...]) -> None:
    if info.primary_key_name is not None:
        cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted(info.primary_key_name)}")
        for name in info.primary_key:
            if name not in keys:
                cur.execute(f"ALTER TABLE {table} ALTER COLUMN {quoted(name)} DROP NOT NULL")
    cur.execute("SAVEPOINT new_key")
    try:
        cur.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(map(quoted, keys))})")
    except psycopg2.Error as error:
        cur.execute("ROLLBACK TO SAVEPOINT new_key")
        raise LoadError(
            f"key properties changed from {list(info.primary_key)} to {list(stream.key_properties)}, but the "
            f"rows already in {table} have null or duplicate values of the new key "
            f"({type(error).__name__}); fix or empty the table, or keep the old key"
        ) from None
