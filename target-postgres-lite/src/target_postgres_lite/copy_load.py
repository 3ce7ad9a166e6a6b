"""Writing a batch with COPY: straight into the table, or via a staging table
and INSERT ... ON CONFLICT for upserts that meet existing keys.

The CSV for COPY is written by Arrow in C++, a slice at a time as the
server asks for more, so that the server parses one slice while the next is
written. Strings are always quoted, so PostgreSQL tells an empty string
("") from NULL (nothing). Decimals arrive in the form whose text is exact
(see the core's decimal_columns), so the CSV carries them as they are. A
COPY error names the CSV line, which is the batch row, which the core turns
back into the input line number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import psycopg2.errors
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg2.extensions import cursor as PgCursor

from singer_lite_core.errors import LoadError
from target_postgres_lite.sql import quoted

COPY_SLICE_ROWS = 8192
STAGE = "_tpl_stage"
_COPY_CONTEXT = re.compile(r"COPY [^,]+, line (\d+)(?:, column ([^:]+))?")


class CsvSlices:
    """A file-like object for copy_expert that yields the table as CSV, one
    slice of rows per read() (psycopg2 sends whatever each read returns).

    The next slice is written on a helper thread while the current one is
    sent, so CSV writing, sending and the server's parsing all overlap.
    """

    _OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")

    def __init__(self, table: pa.Table) -> None:
        self._batches = iter(table.to_batches(max_chunksize=COPY_SLICE_ROWS))
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv")
        self._next = self._writer.submit(self._encode_next)

    def __enter__(self) -> CsvSlices:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.shutdown(wait=True, cancel_futures=True)

    def read(self, size: int = -1) -> bytes:
        current = self._next.result()
        if current:
            self._next = self._writer.submit(self._encode_next)
        return current

    def _encode_next(self) -> bytes:
        batch = next(self._batches, None)
        if batch is None:
            return b""
        sink = pa.BufferOutputStream()
        pacsv.write_csv(batch, sink, self._OPTIONS)
        data: bytes = sink.getvalue().to_pybytes()
        return data


def copy_into(cur: PgCursor, target: str, columns: Sequence[str], table: pa.Table) -> None:
    column_list = ", ".join(map(quoted, columns))
    try:
        with CsvSlices(table) as slices:
            # psycopg2 only ever calls read(); its stubs ask for readline() as well.
            cur.copy_expert(f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT csv)", slices)  # type: ignore[arg-type]
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
    unique keys already (the core keeps the last per key)."""
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (LIKE {target}) ON COMMIT DROP")
    copy_into(cur, STAGE, columns, table)
    column_list = ", ".join(map(quoted, columns))
    updates = [c for c in columns if c not in keys]
    action = (
        "DO UPDATE SET " + ", ".join(f"{quoted(c)} = EXCLUDED.{quoted(c)}" for c in updates)
        if updates
        else "DO NOTHING"
    )
    cur.execute(
        f"INSERT INTO {target} ({column_list}) SELECT {column_list} FROM {STAGE} "
        f"ON CONFLICT ({', '.join(map(quoted, keys))}) {action}"
    )


def _explained(error: psycopg2.Error) -> LoadError:
    diag = error.diag
    match = _COPY_CONTEXT.search(diag.context or "")
    message = diag.message_primary or str(error).splitlines()[0]
    if match is None:
        return LoadError(message)
    column = match.group(2)
    return LoadError(f"column {column!r}: {message}" if column else message, int(match.group(1)) - 1)
