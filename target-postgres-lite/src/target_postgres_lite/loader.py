"""PostgresLoader: the core's Loader protocol implemented for PostgreSQL.

DDL is transactional here, so a new table is created in the transaction of
its first write, and a refused run rolls it back with the write. An
overwrite loads into a real table next to the stream's (`_tpl_new_...`,
made afresh by the first write) and swaps its rows in at the end (ddl.swap_in).

Other runs may load the same schema at once (one per tap shard). Definition
changes are serialised per table (ddl, advisory_locks). A run that replaces
a table's rows (an overwrite, or ACTIVATE_VERSION) claims the table until the
stream finishes (advisory_locks.claim), and a second run doing so at the same
time fails at its first such write, naming the table, instead of dropping
the first one's table aside or retiring the rows it has just written.

Two runs cannot deadlock on these locks: every transaction writes to one
stream's table (and its own table aside and temporary staging table, which
no other run touches), and takes that table's definition lock before any lock
on the table itself, or none; a claim never waits. Upserts of
overlapping keys in different orders can still deadlock on rows: PostgreSQL
then aborts one transaction (40P01), which is transient, and the committer
retries that job whole, in a new transaction, before any STATE after it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg2
from psycopg2.extensions import cursor as PgCursor

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.identifiers import Identifiers, cut, digest
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.stream_schema import StreamSchema
from singer_lite_core.target_driver.tables import StreamTable
from target_postgres_lite import advisory_locks, copy_load, ddl
from target_postgres_lite.connection import Connection, is_transient
from target_postgres_lite.settings import connection_dsn
from target_postgres_lite.sql import qualified, quoted

log = logging.getLogger(__name__)

CAPABILITIES = LoaderCapabilities(
    # numeric holds any number of digits, and NaN (and +-Infinity since PostgreSQL 14).
    decimal=None,
    decimal_holds_nan_and_infinity=True,
    # NAMEDATALEN - 1; PostgreSQL silently cuts longer names.
    max_identifier_length=63,
    identifier_length_unit="bytes",
    # Every name is quoted, so case is kept and compared.
    case_insensitive_identifiers=False,
    # COPY (FORMAT binary), or CSV for a batch binary_copy cannot encode exactly.
    preferred_batch_format="binary",
    # binary_copy encodes them as they are; copy_load writes them as text where text is due.
    typed_timestamps=True,
)
IDENTIFIERS = Identifiers(CAPABILITIES, "PostgreSQL")
ASIDE_PREFIX = "_tpl_new_"


@dataclass(kw_only=True)
class _PostgresTable(StreamTable):
    """A stream's table with its name and its table aside's in the schema (for
    an overwrite), the schema its first write creates it with, and the session
    whose claim (advisory_locks.claim) covers it (Connection.session), if any."""

    name: str
    aside_name: str | None
    schema: StreamSchema
    claimed_in: int | None = None


def aside_of(table: str) -> str:
    """The name of an overwrite's table aside: fixed for the table, so that the
    next run drops what a dead one left; as much of the table's name as fits."""
    head = f"{ASIDE_PREFIX}{digest(table)}_"
    return head + cut(table, CAPABILITIES.max_identifier_length - len(head), in_bytes=True)


class PostgresLoader:
    capabilities = CAPABILITIES

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._connection = Connection(connection_dsn(config))
        self._schema = str(config["default_target_schema"])
        self._tables: dict[str, _PostgresTable] = {}
        self._updating: set[str] = set()

    def prepare(self, schema: StreamSchema, overwrite: bool) -> StreamSchema:
        """Evolve the table, and its table aside once this run has made it,
        alike; a table that does not exist is left to the first write."""
        name = IDENTIFIERS.table(schema.stream)
        columns = IDENTIFIERS.columns(schema.names)
        previous = self._tables.get(schema.stream)
        aside_made = previous is not None and previous.aside_made
        table_aside = aside_of(name) if overwrite else None
        with self._transaction() as cur:
            evolved = ddl.evolve_table(cur, self._schema, name, schema, columns)
            effective = schema if evolved is None else evolved
            if previous is not None and aside_made and table_aside is not None:
                self._claim(cur, previous)
                effective = ddl.evolve_table(cur, self._schema, table_aside, effective, columns) or effective
        self._tables[schema.stream] = _PostgresTable(
            qualified(self._schema, name),
            columns,
            schema.key_properties,
            exists=evolved is not None,
            aside=None if table_aside is None else qualified(self._schema, table_aside),
            aside_made=aside_made,
            name=name,
            aside_name=table_aside,
            schema=effective,
            claimed_in=None if previous is None else previous.claimed_in,
        )
        return effective

    def load(self, batch: Batch) -> None:
        table = self._tables[batch.schema.stream]
        columns = table.columns_of(batch.table.column_names)
        with self._writing(table) as cur:
            if table.keys:
                self._upsert(cur, batch, table, columns)
            else:
                copy_load.copy_into(cur, table.written, columns, batch.table)

    def _upsert(self, cur: PgCursor, batch: Batch, table: StreamTable, columns: Sequence[str]) -> None:
        """Insert while every key is new; once a batch meets an existing key,
        this stream is updating rows and goes straight to the staged upsert."""
        stream = batch.schema.stream
        if stream not in self._updating:
            if copy_load.insert_if_all_new(cur, table.written, columns, batch.table):
                return
            self._updating.add(stream)
        copy_load.upsert(cur, table.written, columns, table.keys, batch.table)

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        table = self._tables[schema.stream]
        version_column = quoted(table.column(meta.TABLE_VERSION))
        older = f"({version_column} IS NULL OR {version_column} < %s)"
        with self._writing(table) as cur:
            self._claim(cur, table)
            if hard_delete:
                cur.execute(f"DELETE FROM {table.written} WHERE {older}", (version,))
            else:
                deleted = quoted(table.column(meta.DELETED_AT))
                cur.execute(
                    f"UPDATE {table.written} SET {deleted} = now() WHERE {older} AND {deleted} IS NULL", (version,)
                )

    def finish(self, stream: str) -> None:
        table = self._tables[stream]
        if table.exists and table.aside is None:
            if table.claimed_in is not None:
                with self._transaction() as cur:
                    self._release(cur, table)
            return
        with self._writing(table) as cur:
            if table.aside_name is not None:
                if not table.exists:
                    ddl.ensure_table(cur, self._schema, table.name, table.schema, table.columns, like=table.aside)
                ddl.swap_in(cur, self._schema, table.aside_name, table.path)
            self._release(cur, table)
        table.exists = True
        table.aside_made = False

    @contextlib.contextmanager
    def _writing(self, table: _PostgresTable) -> Iterator[PgCursor]:
        """A transaction writing to `table.written`, which it first creates if
        this is the run's first write: the stream's table from its schema
        (unless another run has meanwhile), or an overwrite's table aside as a
        copy of the table (or of the schema)."""
        with self._transaction() as cur:
            if table.aside is not None:
                self._claim(cur, table)
            if not (table.exists if table.aside is None else table.aside_made):
                ddl.ensure_schema(cur, self._schema)
                if table.aside is None:
                    ddl.ensure_table(cur, self._schema, table.name, table.schema, table.columns)
                else:
                    # What a run that died before dropping its own left goes first.
                    cur.execute(f"DROP TABLE IF EXISTS {table.aside}")
                    if table.exists:
                        ddl.create_like(cur, table.aside, table.path)
                    else:
                        ddl.create_table(cur, table.aside, table.schema, table.columns)
            yield cur
        if table.aside is None:
            table.exists = True
        else:
            table.aside_made = True

    def _claim(self, cur: PgCursor, table: _PostgresTable) -> None:
        """Make sure this session holds the claim on the table: once per
        session, since a lost connection loses its claim too."""
        session = self._connection.session
        if table.claimed_in == session:
            return
        if not advisory_locks.claim(cur, self._schema, table.name):
            raise LoadError(
                f"another run is replacing the rows of {table.path} (an overwrite, or ACTIVATE_VERSION) at this "
                "moment; one run at a time may (with tap shards, only shard 0 syncs the full-table streams)"
            )
        # A session's lock, held even if this transaction rolls back.
        table.claimed_in = session
        if table.aside_made and table.aside_name and ddl.table_info(cur, self._schema, table.aside_name) is None:
            raise LoadError(f"{table.aside}, which held this run's new rows, was dropped while its connection was down")

    def _release(self, cur: PgCursor, table: _PostgresTable) -> None:
        """Give the claim up at once, not at commit (a retry of the job claims it again)."""
        if table.claimed_in == self._connection.session:
            advisory_locks.release(cur, self._schema, table.name)
        table.claimed_in = None

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
        """Drop the tables aside of overwrites that never swapped (best effort:
        the next overwrite of the table drops a leftover first)."""
        for table in self._tables.values():
            if table.aside is None or not table.aside_made:
                continue
            try:
                with self._transaction() as cur:
                    cur.execute(f"DROP TABLE IF EXISTS {table.aside}")
            except Exception as error:  # noqa: BLE001 - cleanup is best effort
                log.warning("could not drop %s (the next overwrite drops it): %s", table.aside, error)
        self._connection.close()
