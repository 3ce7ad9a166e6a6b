"""Reading the files a BATCH message lists, in pieces of bounded size.

singer-sdk's taps write a batch as files and send their URIs: file:// for a
local storage root, and any root fsspec opens (s3://, gs://, ...) when the
filesystem's package is installed, as the SDK itself reads them. A batch
file may be much larger than a flush, so it is read in pieces: a jsonl file
in blocks of whole lines (record bodies, one per line), a parquet file in
row groups cut to at most a flush's rows, each piece typed as the file is.

The files belong to the tap, which may read them again on a retry: they are
deleted only when clean_up_batch_files says so, and only once their rows
are committed (the runner makes sure of the second).
"""

from __future__ import annotations

import gzip
import logging
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pyarrow as pa
import pyarrow.parquet as pq

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.messages import BatchFile, RecordLines

log = logging.getLogger(__name__)

BLOCK_SIZE = 4 << 20
GZIP_MAGIC = b"\x1f\x8b"


def local_path(uri: str) -> str | None:
    """The local path a file:// URI (or a bare path) names; None for any other storage."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return url2pathname(parts.netloc + parts.path if parts.netloc not in ("", "localhost") else parts.path)
    if not parts.scheme or len(parts.scheme) == 1:  # a bare path, or a Windows drive letter
        return uri
    return None


@contextmanager
def opened(file: BatchFile) -> Iterator[IO[bytes]]:
    """The file for reading; a missing file or storage package is an input error naming it."""
    path = local_path(file.uri)
    try:
        if path is not None:
            with open(path, "rb") as handle:
                yield handle
            return
        with _fsspec_open(file) as handle:
            yield handle
    except OSError as error:
        raise InputError(f"{file.at()}: cannot read the batch file: {error.strerror or error}") from None


@contextmanager
def _fsspec_open(file: BatchFile) -> Iterator[IO[bytes]]:
    try:
        import fsspec  # noqa: PLC0415 - needed only for remote storage roots
    except ImportError:
        raise InputError(f"{file.at()}: reading this storage needs the fsspec package") from None
    try:
        handle: Any = fsspec.open(file.uri, "rb")
    except (ImportError, ValueError) as error:
        raise InputError(f"{file.at()}: cannot read this storage: {error}") from None
    with handle as stream:
        yield stream


def jsonl_pieces(file: BatchFile, compression: str | None) -> Iterator[RecordLines]:
    """The file's lines in blocks of whole lines, numbered as file rows from 1.

    A file that starts as gzip does is read as gzip whatever `compression`
    says: singer-sdk's jsonl writer gzips every file, even under "none"."""
    row = 1
    with opened(file) as raw:
        gzipped = compression == "gzip" or raw.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        raw.seek(0)
        source: IO[bytes] | gzip.GzipFile = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        partial = b""
        while True:
            block = _read_block(source, file)
            if not block:
                break
            block = partial + block
            end = block.rfind(b"\n") + 1
            block, partial = block[:end], block[end:]
            if block:
                count = block.count(b"\n")
                yield RecordLines(file.stream, row, block, count, file=file)
                row += count
        if partial.strip():
            yield RecordLines(file.stream, row, partial + b"\n", 1, file=file)


def _read_block(source: IO[bytes] | gzip.GzipFile, file: BatchFile) -> bytes:
    try:
        return source.read(BLOCK_SIZE)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise InputError(f"{file.at()}: the batch file is not valid gzip: {error}") from None


@dataclass(frozen=True)
class ParquetPiece:
    """Rows of a parquet file from `first_row` (counted from 1); `whole_file`
    when they are all of its rows."""

    table: pa.Table
    first_row: int
    whole_file: bool


def parquet_pieces(file: BatchFile, max_rows: int) -> Iterator[ParquetPiece]:
    """The file's rows in tables of at most `max_rows`."""
    row = 1
    with opened(file) as raw:
        try:
            parquet = pq.ParquetFile(raw)
            rows = parquet.metadata.num_rows
            for batch in parquet.iter_batches(batch_size=max_rows):
                yield ParquetPiece(pa.Table.from_batches([batch]), row, batch.num_rows == rows)
                row += batch.num_rows
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as error:
            raise InputError(f"{file.at()}: cannot read the parquet batch file: {error}") from None


def delete(file: BatchFile) -> None:
    """Delete a file whose rows are committed; failing to is only worth a
    warning, since nothing is lost by keeping it."""
    try:
        path = local_path(file.uri)
        if path is not None:
            os.remove(path)
        else:
            import fsspec  # noqa: PLC0415 - the file was read through it

            filesystem, remote = fsspec.core.url_to_fs(file.uri)
            filesystem.rm(remote)
    except (OSError, ImportError, ValueError) as error:
        log.warning("%s: could not delete the batch file: %s", file.at(), error)
