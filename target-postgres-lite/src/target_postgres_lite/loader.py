"""PostgresLoader: the core's Loader protocol implemented for PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg2
from psycopg2.extensions import cursor as PgCursor

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.stream_schema import StreamSchema
from target_postgres_lite import copy_load, ddl
from target_postgres_lite.connection import Connection, is_transient
from target_postgres_lite.identifiers import column_names, pg_name, quoted
from target_postgres_lite.pg_settings import connection_dsn


@dataclass(frozen=True)
class _Table:
    name: str
    columns: dict[str, str]
    keys: tuple[str, ...]


class PostgresLoader:
    def __init__(self, config: Mapping[str, Any]) -> None:
        self._connection = Connection(connection_dsn(config))
        self._schema = str(config["default_target_schema"])
        self._tables: dict[str, _Table] = {}
        self._updating: set[str] = set()

    def prepare(self, schema: StreamSchema) -> StreamSchema:
        columns = column_names(schema.names)
        with self._transaction() as cur:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted(self._schema)}")
            effective = ddl.ensure_table(cur, self._schema, schema, columns)
        self._tables[schema.stream] = _Table(
            f"{quoted(self._schema)}.{quoted(pg_name(schema.stream))}",
            columns,
            tuple(columns[k] for k in schema.key_properties),
        )
        return effective

    def load(self, batch: Batch) -> None:
        table = self._tables[batch.schema.stream]
        columns = [table.columns[name] for name in batch.table.column_names]
        with self._transaction() as cur:
            if batch.replace_table:
                cur.execute(f"TRUNCATE {table.name}")
            if table.keys:
                self._upsert(cur, batch, table, columns)
            else:
                copy_load.copy_into(cur, table.name, columns, batch.table)

    def _upsert(self, cur: PgCursor, batch: Batch, table: _Table, columns: list[str]) -> None:
        """Insert while every key is new; once a batch meets an existing key,
        this stream is updating rows and goes straight to the staged upsert."""
        stream = batch.schema.stream
        if stream not in self._updating:
            if copy_load.insert_if_all_new(cur, table.name, columns, batch.table):
                return
            self._updating.add(stream)
        copy_load.upsert(cur, table.name, columns, table.keys, batch.table)

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        table = self._tables[schema.stream]
        version_column = quoted(table.columns[meta.TABLE_VERSION])
        older = f"({version_column} IS NULL OR {version_column} < %s)"
        with self._transaction() as cur:
            if hard_delete:
                cur.execute(f"DELETE FROM {table.name} WHERE {older}", (version,))
            else:
                deleted = quoted(table.columns[meta.DELETED_AT])
                cur.execute(
                    f"UPDATE {table.name} SET {deleted} = now() WHERE {older} AND {deleted} IS NULL", (version,)
                )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[PgCursor]:
        """One transaction: committed when the block ends, rolled back on any
        error; database errors that a retry cannot fix become LoadErrors."""
        conn = self._connection.get()
        try:
            with conn.cursor() as cur:
                yield cur
            conn.commit()
        except psycopg2.Error as error:
            self._connection.discard()
            if is_transient(error):
                raise
            raise LoadError(error.diag.message_primary or str(error).strip()) from None
        except BaseException:
            self._connection.discard()
            raise

    def is_transient(self, error: BaseException) -> bool:
        return is_transient(error)

    def close(self) -> None:
        self._connection.close()
