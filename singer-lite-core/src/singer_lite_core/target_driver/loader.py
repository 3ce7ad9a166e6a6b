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

from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.stream_schema import StreamSchema


@dataclass(frozen=True)
class Batch:
    """Rows of one stream, decoded, with one row per key when the schema has
    key properties (the loader then merges on them; without keys it appends).

    `replace_table` is set on the first batch of an overwrite run: the
    loader empties the table in the same transaction that loads the batch.
    """

    schema: StreamSchema
    table: pa.Table
    lines: np.ndarray
    replace_table: bool

    def line_of(self, row: int) -> int:
        return int(self.lines[row])

    @property
    def line_span(self) -> tuple[int, int]:
        """The first and last input line of the batch's rows (kept in input order)."""
        return self.line_of(0), self.line_of(-1)


class Loader(Protocol):
    @property
    def capabilities(self) -> LoaderCapabilities:
        """What the database takes; a class attribute, read once per run."""

    def prepare(self, schema: StreamSchema) -> StreamSchema:
        """Create or evolve the stream's table and return the effective schema
        (each column's type joined with what the table already holds) that
        records must be decoded to. Raise LoadError to refuse a change."""

    def load(self, batch: Batch) -> None:
        """Write the batch atomically: all of it is committed, or none. Raise
        LoadError, with the batch row when known, for data the database refuses."""

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        """Retire rows of versions older than `version` (all of them already loaded)."""

    def is_transient(self, error: BaseException) -> bool:
        """Whether retrying after this error (with a fresh connection) may succeed."""

    def close(self) -> None: ...
