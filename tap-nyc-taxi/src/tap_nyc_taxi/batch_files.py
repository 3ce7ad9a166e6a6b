"""Writing one batch file (parquet or JSON Lines) from mapped frames, without per-row Python work.

A batch file holds exactly the rows and types RECORDs would carry: parquet
columns are the stream schema's Arrow types (int64, float64, string,
timestamp[us, UTC]), NaN stored as null as JSON would have it; a jsonl file
holds the record bodies RECORD lines would. Frames are appended as they come
(one parquet row group each), so memory stays at one reader batch whatever
the batch size.

A local file is written under a `.partial` name and renamed when whole, so
no reader ever finds half a file under a name a BATCH message could carry;
object stores (s3://, gs:// through fsspec) publish an object only on close.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, cast

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from singer_lite_core.errors import ConfigError
from tap_nyc_taxi.batch_config import BatchConfig
from tap_nyc_taxi.column_mapping import LINEAGE
from tap_nyc_taxi.record_encoder import json_properties

_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")
GZIP_LEVEL = 1
"""Batch files are a hand-over, read once: the fastest gzip level costs little in size
(for parquet on 1M yellow rows: 0.8 s of CPU time instead of 14 s at Arrow's default level)."""
_ROW_NUMBER = LINEAGE[1]
"""The column numbering the source's rows. It and the date-times are distinct on
(nearly) every row, so they are written without a parquet dictionary: hashing
them into dictionaries as large as themselves took half of the writer's time
(1M yellow rows: 0.55 s of CPU time with every column in dictionaries, 0.3 s
without these three, the file no larger). Read once and whole, batch files
carry no column statistics either."""


def batch_file_name(config: BatchConfig, stream: str, source: str, first_row: int, run_id: str) -> str:
    """Unique per run and readable: which stream, source file and first row the file starts at."""
    extension = ".parquet" if config.format == "parquet" else ".jsonl.gz" if config.compression == "gzip" else ".jsonl"
    return f"{config.prefix}{stream}--{_UNSAFE.sub('_', source)}--row{first_row}--{run_id}{extension}"


class BatchFile:
    """One batch file being written; `close` makes it whole and returns its URL for the manifest."""

    def __init__(self, config: BatchConfig, name: str) -> None:
        self._config = config
        self.rows = 0
        self._partial: Path | None = None
        if config.is_local:
            self._final = Path(config.root) / name
            self._partial = self._final.with_name(self._final.name + ".partial")
            self._url = self._final.as_uri()
            with _writing(self._url):
                self._final.parent.mkdir(parents=True, exist_ok=True)
                self._sink: IO[bytes] = self._partial.open("wb")
        else:
            import fsspec  # noqa: PLC0415 (imported only for a remote root)

            self._url = f"{config.root}/{name}"
            with _writing(self._url):
                self._sink = fsspec.open(self._url, "wb", **config.params).open()
        self._parquet: pq.ParquetWriter | None = None
        self._jsonl: IO[bytes] | None = None

    def write(self, frame: pl.DataFrame) -> None:
        with _writing(self._url):
            if self._config.format == "parquet":
                self._write_parquet(parquet_table(frame))
            else:
                self._write_jsonl(frame)
        self.rows += frame.height

    def close(self) -> str:
        with _writing(self._url):
            if self._parquet is not None:
                self._parquet.close()
            if self._jsonl is not None and self._jsonl is not self._sink:
                self._jsonl.close()
            self._sink.close()
            if self._partial is not None:
                os.replace(self._partial, self._final)
        return self._url

    def discard(self) -> None:
        """Drop a file that will never be sent (its partition failed); a storage failure
        here must not hide the failure that got the partition here."""
        with suppress(OSError):
            self._sink.close()
            if self._partial is not None:
                self._partial.unlink(missing_ok=True)

    def _write_parquet(self, table: pa.Table) -> None:
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(
                self._sink,
                table.schema,
                compression="gzip" if self._config.compression == "gzip" else "none",
                compression_level=GZIP_LEVEL if self._config.compression == "gzip" else None,
                use_dictionary=[
                    field.name
                    for field in table.schema
                    if field.name != _ROW_NUMBER and not pa.types.is_timestamp(field.type)
                ],
                write_statistics=False,
            )
        self._parquet.write_table(table)

    def _write_jsonl(self, frame: pl.DataFrame) -> None:
        if self._jsonl is None:
            self._jsonl = self._sink
            if self._config.compression == "gzip":
                # A GzipFile is a binary file, though typeshed does not call it IO[bytes]; close() closes it.
                gzipped = gzip.open(self._sink, "wb", compresslevel=GZIP_LEVEL)  # noqa: SIM115 (see above)
                self._jsonl = cast(IO[bytes], gzipped)
        frame.select(json_properties(frame)).write_ndjson(self._jsonl)


@contextmanager
def _writing(url: str) -> Iterator[None]:
    """A storage failure (no space, no permission, no credentials) as one line naming the file."""
    try:
        yield
    except OSError as error:
        raise ConfigError(f"setting 'batch_config.storage': cannot write {url}: {error}") from None


def parquet_table(frame: pl.DataFrame) -> pa.Table:
    """The frame in the stream schema's Arrow types: timestamps as UTC, strings as plain
    `string` (polars hands out large_string), NaN as null as RECORDs carry it."""
    table = frame.with_columns(
        pl.col(pl.Datetime).dt.replace_time_zone("UTC"), pl.col(pl.Float64).fill_nan(None)
    ).to_arrow()
    return table.cast(pa.schema([_plain(field) for field in table.schema]))


def _plain(field: pa.Field) -> Any:
    return field.with_type(pa.string()) if pa.types.is_large_string(field.type) else field
