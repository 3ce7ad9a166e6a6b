"""Reading parquet and CSV files as Arrow batches, from any row on.

Both formats end up as Arrow record batches so that one mapping step and one
encoder serve every stream. CSV columns are read as text: conversion happens
in the mapping step, which can name the row and column of a bad value
(Arrow's CSV reader cannot).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from singer_lite_core.errors import InputError, where

_READ_BUFFER_BYTES = 64 << 10
"""How much of a column chunk a parquet reader holds besides the page it decodes."""


class TableReader(Protocol):
    name: str

    @property
    def columns(self) -> list[str]: ...

    def batches(self, start_row: int) -> Iterator[tuple[int, pa.RecordBatch]]:
        """Batches from the 0-based row `start_row` on, each with the index of its first row."""
        ...


def open_table(path: Path, name: str, batch_rows: int) -> TableReader:
    lowered = name.lower()
    if lowered.endswith(".parquet"):
        return ParquetReader(path, name, batch_rows)
    if lowered.endswith((".csv", ".csv.gz")):
        return CsvReader(path, name, batch_rows)
    raise InputError(f"{where(source=name)}: unknown file type; expected .parquet, .csv or .csv.gz")


class ParquetReader:
    """Reads a parquet file page by page, so its memory does not grow with the row groups.

    By default Arrow reads each column chunk of a row group whole before
    decoding it: a month the TLC writes in row groups of millions of rows
    would then be held compressed in memory, a row group at a time. Through
    a buffered stream each column holds one page instead. A start row inside a
    row group is reached by decoding from the group's start, since a group can
    only be entered there.
    """

    def __init__(self, path: Path, name: str, batch_rows: int) -> None:
        self.name = name
        self._batch_rows = batch_rows
        try:
            self._file = pq.ParquetFile(path, buffer_size=_READ_BUFFER_BYTES, pre_buffer=False)
        except (pa.ArrowException, OSError) as error:
            raise InputError(f"{where(source=name)}: not a readable parquet file: {error}") from None

    @property
    def columns(self) -> list[str]:
        return list(self._file.schema_arrow.names)

    def batches(self, start_row: int) -> Iterator[tuple[int, pa.RecordBatch]]:
        metadata = self._file.metadata
        first_group, row = 0, 0
        while first_group < metadata.num_row_groups and row + metadata.row_group(first_group).num_rows <= start_row:
            row += metadata.row_group(first_group).num_rows
            first_group += 1
        groups = list(range(first_group, metadata.num_row_groups))
        if not groups:
            return
        remaining = self._file.iter_batches(batch_size=self._batch_rows, row_groups=groups)
        try:
            for first, batch in rows_from(remaining, start_row, row):
                row = first + batch.num_rows
                yield first, batch
        except (pa.ArrowException, OSError) as error:
            raise InputError(f"{where(source=self.name)}: unreadable parquet data after row {row}: {error}") from None


class CsvReader:
    def __init__(self, path: Path, name: str, batch_rows: int) -> None:
        self.name = name
        self._path = path
        self._batch_rows = batch_rows
        self._columns = self._header()

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def batches(self, start_row: int) -> Iterator[tuple[int, pa.RecordBatch]]:
        row = 0
        try:
            for first, batch in rows_from(self._slices(), start_row):
                row = first + batch.num_rows
                yield first, batch
        except pa.ArrowInvalid as error:
            raise InputError(
                f"{where(source=self.name)}: malformed CSV after data row {row}: {_short(error)}"
            ) from None
        except (OSError, EOFError) as error:
            raise InputError(f"{where(source=self.name)}: unreadable file after data row {row}: {error}") from None

    def _slices(self) -> Iterator[pa.RecordBatch]:
        reader = pacsv.open_csv(
            self._path,
            read_options=pacsv.ReadOptions(block_size=8 << 20, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={column: pa.string() for column in self._columns},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        for block in reader:
            for offset in range(0, block.num_rows, self._batch_rows):
                yield block.slice(offset, self._batch_rows)

    def _header(self) -> list[str]:
        opener = gzip.open if self.name.lower().endswith(".gz") else open
        try:
            with opener(self._path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig") as text:
                line = text.readline()
        except (OSError, UnicodeDecodeError, EOFError) as error:
            raise InputError(f"{where(source=self.name)}: unreadable file: {error}") from None
        columns = [column.strip() for column in next(csv.reader([line]), [])]
        if not line.strip() or not all(columns):
            raise InputError(f"{where(source=self.name)}: the first line must be a header naming every column")
        return columns


def rows_from(
    batches: Iterable[pa.RecordBatch], start_row: int, first_row: int = 0
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """The rows of `batches` from the 0-based `start_row` on, each batch with the
    index of its first row; `first_row` is where `batches` itself starts."""
    row = first_row
    for batch in batches:
        if row + batch.num_rows > start_row:
            skip = max(0, start_row - row)
            yield row + skip, batch.slice(skip)
        row += batch.num_rows


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:300] + "..."
