"""The protocol between the shared target driver and one database.

The driver owns everything about Singer (reading, batching, decoding,
STATE); a Loader owns everything about its database, and declares what
that database takes (capabilities), from which the driver derives how it
decodes values for it. Calls arrive one at a time and in input order, from
a single worker thread, so a Loader needs no locking of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa

from singer_lite_core.errors import where
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.messages import BatchFile
from singer_lite_core.target_driver.stream_schema import StreamSchema


@dataclass(frozen=True)
class Batch:
    """Rows of one stream, decoded, with one row per key when the schema has
    key properties (the loader then merges on them; without keys it appends).
    `lines` are the rows' input lines, or, for rows of a BATCH message's
    `file`, their rows in that file. `file_as_sent`: the rows are all of
    that parquet file's, unchanged (none deduplicated, no value lost), so a
    loader may load the file itself when its columns are what the database
    takes, instead of writing the same rows again."""

    schema: StreamSchema
    table: pa.Table
    lines: np.ndarray
    file: BatchFile | None = None
    file_as_sent: bool = False

    def line_of(self, row: int) -> int:
        return int(self.lines[row])

    @property
    def line_span(self) -> tuple[int, int]:
        """The first and last input line of the batch's rows (kept in input order)."""
        return self.line_of(0), self.line_of(-1)

    @property
    def name(self) -> str:
        """A name for the batch, unique in the run (a load job's id, say)."""
        if self.file is None:
            return str(self.line_of(0))
        return f"{self.file.line}_{self.file.index}_{self.line_of(0)}"

    def location(self, row: int | None = None) -> str:
        """Where the batch's `row` came from, else where the batch did, for an error line."""
        stream = self.schema.stream
        if self.file is not None:
            return self.file.at(None if row is None else self.line_of(row))
        if row is not None:
            return where(stream, line=self.line_of(row))
        return where(stream, lines=self.line_span)


class Loader(Protocol):
    """Where a stream's rows go, so that a failed run leaves no trace of itself.

    A table the run would create does not exist until something is committed
    to it: the first write (load, activate_version or finish) creates it, in
    the same transaction where the database's DDL is transactional, otherwise
    just before, deleting it again if that write fails. An overwrite stream
    writes to a table aside, created fresh by its first write; only `finish`
    puts its rows in the stream's table, in one transaction, so a failed run
    leaves the previous table as it was.
    """

    @property
    def capabilities(self) -> LoaderCapabilities:
        """What the database takes; a class attribute, read once per run."""

    def prepare(self, schema: StreamSchema, overwrite: bool) -> StreamSchema:
        """Evolve the stream's table (and, for an overwrite, the table aside if
        this run has made it) to fit `schema`, and return the effective schema
        (each column's type joined with what the table already holds) that
        records must be decoded to; for a table that does not exist yet, that
        is `schema`, which its first write creates it with. `overwrite` is the
        same for every SCHEMA of a stream in a run. Raise LoadError to refuse
        a change."""

    def load(self, batch: Batch) -> None:
        """Write the batch atomically: all of it is committed, or none. Raise
        LoadError, with the batch row when known, for data the database refuses."""

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        """Retire rows of versions older than `version` (all of them already
        loaded) from the table the stream's rows go to (for an overwrite, the
        table aside)."""

    def finish(self, stream: str) -> None:
        """The input has ended well and every write of the stream is committed:
        create its table if no write did (a stream without records still gets
        one); for an overwrite, replace the table's rows by those aside, in one
        transaction, and drop the table aside."""

    def is_transient(self, error: BaseException) -> bool:
        """Whether retrying after this error (with a fresh connection) may succeed."""

    def close(self) -> None:
        """Release the connection, dropping (best effort) what a failed run made
        and committed nothing to: tables aside, staging tables."""
