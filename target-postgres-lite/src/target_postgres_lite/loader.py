"""PostgresLoader: the core's Loader protocol implemented for PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg2
from psycopg2.extensions import cursor as PgCursor

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.identifiers import Identifiers
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.stream_schema import StreamSchema
from singer_lite_core.target_driver.tables import StreamTable
from target_postgres_lite import copy_load, ddl
from target_postgres_lite.connection import Connection, is_transient
from target_postgres_lite.settings import connection_dsn
from target_postgres_lite.sql import qualified, quoted

CAPABILITIES = LoaderCapabilities(
    # numeric holds any number of digits.
    decimal=None,
    # NAMEDATALEN - 1; PostgreSQL silently cuts longer names.
    max_identifier_length=63,
    identifier_length_unit="bytes",
    # Every name is quoted, so case is kept and compared.
    case_insensitive_identifiers=False,
    preferred_batch_format="csv",
)
IDENTIFIERS = Identifiers(CAPABILITIES, "PostgreSQL")


class PostgresLoader:
    capabilities = CAPABILITIES

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._connection = Connection(connection_dsn(config))
        self._schema = str(config["default_target_schema"])
        self._tables: dict[str, StreamTable] = {}
        self._updating: set[str] = set()

    def prepare(self, schema: StreamSchema) -> StreamSchema:
        name = IDENTIFIERS.table(schema.stream)
        table = StreamTable(qualified(self._schema, name), IDENTIFIERS.columns(schema.names), schema.key_properties)
        with self._transaction() as cur:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted(self._schema)}")
            effective = ddl.ensure_table(cur, self._schema, name, schema, table.columns)
        self._tables[schema.stream] = table
        return effective

    def load(self, batch: Batch) -> None:
        table = self._tables[batch.schema.stream]
        columns = table.columns_of(batch.table.column_names)
        with self._transaction() as cur:
            if batch.replace_table:
                cur.execute(f"TRUNCATE {table.path}")
            if table.keys:
                self._upsert(cur, batch, table, columns)
            else:
                copy_load.copy_into(cur, table.path, columns, batch.table)

    def _upsert(self, cur: PgCursor, batch: Batch, table: StreamTable, columns: Sequence[str]) -> None:
        """Insert while every key is new; once a batch meets an existing key,
        this stream is updating rows and goes straight to the staged upsert."""
        stream = batch.schema.stream
        if stream not in self._updating:
            if copy_load.insert_if_all_new(cur, table.path, columns, batch.table):
                return
            self._updating.add(stream)
        copy_load.upsert(cur, table.path, columns, table.keys, batch.table)

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        table = self._tables[schema.stream]
        version_column = quoted(table.column(meta.TABLE_VERSION))
        older = f"({version_column} IS NULL OR {version_column} < %s)"
        with self._transaction() as cur:
            if hard_delete:
                cur.execute(f"DELETE FROM {table.path} WHERE {older}", (version,))
            else:
                deleted = quoted(table.column(meta.DELETED_AT))
                cur.execute(
                    f"UPDATE {table.path} SET {deleted} = now() WHERE {older} AND {deleted} IS NULL", (version,)
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
