"""Writing a batch with COPY: straight into the table, or via a staging table
and INSERT ... ON CONFLICT for upserts that meet existing keys.

A batch travels in the binary COPY format (binary_copy) when every column
of it encodes exactly, else as CSV written by Arrow in C++. Either way it is
encoded a slice at a time on a helper thread while the previous slice is
sent, so that encoding, sending and the server's parsing overlap. In CSV,
strings are always quoted, so PostgreSQL tells an empty string ("") from
NULL (nothing), decimals arrive in the form whose text is exact (see the
core's decimal_columns), and typed timestamps as the core's UTC text, which
a text column keeps as RECORDs would have it. A COPY error names the line
(the row, in binary), which is the batch row, which the core turns back
into the input line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import psycopg2.errors
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg2.extensions import cursor as PgCursor

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver.parquet_columns import utc_text
from target_postgres_lite import binary_copy
from target_postgres_lite.sql import quoted

COPY_SLICE_ROWS = 4096
"""Rows encoded per slice. The server waits for a COPY's first slice, and a
slice encoded on the helper thread holds the GIL while the sending thread
needs it: on 1M yellow rows in 50k-row batches the server sat idle 0.2 s
with slices of 4096 rows (about 1.2 MB in binary), 0.3 s with 8192, 0.4 s
with 16384."""
STAGE = "_tpl_stage"
_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")
_COPY_CONTEXT = re.compile(r"COPY [^,]+, line (\d+)(?:, column ([^:]+))?")


class Slices:
    """A file-like object for copy_expert that yields the encoded slices, one
    per read() (psycopg2 sends whatever each read returns), encoding the
    next on a helper thread while the current one is sent."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy-encode")
        self._next = self._encoder.submit(self._encode_next)

    def __enter__(self) -> Slices:
        return self

    def __exit__(self, *exc: object) -> None:
        self._encoder.shutdown(wait=True, cancel_futures=True)

    def read(self, size: int = -1) -> bytes:
        current = self._next.result()
        if current:
            self._next = self._encoder.submit(self._encode_next)
        return current

    def _encode_next(self) -> bytes:
        # An empty read is the end of the data to psycopg2, so empty chunks are skipped.
        return next((chunk for chunk in self._chunks if chunk), b"")


def csv_slices(table: pa.Table) -> Iterator[bytes]:
    table = _timestamps_as_text(table)
    for batch in table.to_batches(max_chunksize=COPY_SLICE_ROWS):
        sink = pa.BufferOutputStream()
        pacsv.write_csv(batch, sink, _CSV_OPTIONS)
        yield sink.getvalue().to_pybytes()


def _timestamps_as_text(table: pa.Table) -> pa.Table:
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            text = utc_text(table.column(index).combine_chunks())
            table = table.set_column(index, field.name, text)
    return table


def native_types(cur: PgCursor, target: str) -> dict[str, str]:
    """The database's type of each column of `target`, to choose the COPY format by."""
    cur.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        (target,),
    )
    return dict(cur.fetchall())


def copy_into(cur: PgCursor, target: str, columns: Sequence[str], table: pa.Table) -> None:
    column_list = ", ".join(map(quoted, columns))
    # The server reads a binary field by its column's type, without a check
    # (an int8 read as numeric lands as 0.0): the table is held as COPY holds
    # it before its types are read, so that no other run's ALTER TABLE (a
    # shard widening the column) commits between the two. (Outside a
    # transaction, as in autocommit, there is nothing to hold it in.)
    if not cur.connection.autocommit:
        cur.execute(f"LOCK TABLE {target} IN ROW EXCLUSIVE MODE")
    binary = binary_copy.prepared(table, native_types(cur, target), columns)
    if binary is None:
        chunks, copy_format = csv_slices(table), "csv"
    else:
        chunks, copy_format = binary.slices(COPY_SLICE_ROWS), "binary"
    try:
        with Slices(chunks) as slices:
            # psycopg2 only ever calls read(); its stubs ask for readline() as well.
            cur.copy_expert(f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT {copy_format})", slices)  # type: ignore[arg-type]
    except psycopg2.DataError as error:
        raise _explained(error) from None


def insert_if_all_new(cur: PgCursor, target: str, columns: Sequence[str], table: pa.Table) -> bool:
    """COPY the batch straight into the keyed table, if none of its keys is there yet.

    When no key of the batch exists (a first load, the rest of a resumed
    file), an upsert is a plain insert, and COPY into the table costs half of
    staging plus INSERT ... ON CONFLICT. The table's unique key index (which
    the upsert needs anyway) turns any existing key into an error; rolling
    back to the savepoint undoes the partial COPY, and False tells the caller
    to upsert instead. Rows of one batch have unique keys already.
    """
    cur.execute("SAVEPOINT insert_if_all_new")
    try:
        copy_into(cur, target, columns, table)
    except psycopg2.errors.UniqueViolation:
        cur.execute("ROLLBACK TO SAVEPOINT insert_if_all_new")
        return False
    cur.execute("RELEASE SAVEPOINT insert_if_all_new")
    return True


def upsert(cur: PgCursor, target: str, columns: Sequence[str], keys: Sequence[str], table: pa.Table) -> None:
    """Stage the batch, then merge it in one statement; rows of one batch have
    unique keys already (the core keeps the last per key). Rows go in key
    order, so that runs upserting overlapping keys at once lock them in the
    same order and wait for each other instead of deadlocking (input in key
    order, as a tap's files are, costs the sort next to nothing)."""
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (LIKE {target}) ON COMMIT DROP")
    copy_into(cur, STAGE, columns, table)
    column_list = ", ".join(map(quoted, columns))
    key_list = ", ".join(map(quoted, keys))
    updates = [c for c in columns if c not in keys]
    action = (
        "DO UPDATE SET " + ", ".join(f"{quoted(c)} = EXCLUDED.{quoted(c)}" for c in updates)
        if updates
        else "DO NOTHING"
    )
    cur.execute(
        f"INSERT INTO {target} ({column_list}) SELECT {column_list} FROM {STAGE} ORDER BY {key_list} "
        f"ON CONFLICT ({key_list}) {action}"
    )


def _explained(error: psycopg2.Error) -> LoadError:
    diag = error.diag
    match = _COPY_CONTEXT.search(diag.context or "")
    message = diag.message_primary or str(error).splitlines()[0]
    if match is None:
        return LoadError(message)
    column = match.group(2)
    return LoadError(f"column {column!r}: {message}" if column else message, int(match.group(1)) - 1)
