"""Where mapped frames go: RECORD lines, or batch files announced by BATCH messages.

Sync hands each partition's frames to one of these and hears back, through
`sent`, the row position after every message that left the tap, which is
where a STATE may follow: after every RECORD batch, or after every BATCH
message (one per file of `batch_size` rows, the last one shorter). A
partition ends whole (`with` exits normally) or by a stop: either way its
rows so far are sent. A partition that fails drops its unsent file instead,
so nothing half-written is ever announced.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import polars as pl

from singer_lite_core.arrow_memory import keep_freed_pages
from singer_lite_core.stop_request import Stopped
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi.batch_config import BatchConfig
from tap_nyc_taxi.batch_files import BatchFile, batch_file_name
from tap_nyc_taxi.record_encoder import encode_records

Sent = Callable[[int], None]
"""Told the row position (rows of the partition done) after each message sent."""
BATCH_FREED_PAGES_MS = 100
"""How long jemalloc keeps freed pages while batch files are written. The parquet
writer allocates and frees a row group's buffers for every frame, and returning
them at once (the tap's pool) made the kernel fault them in again each time: for
1M yellow rows, 0.2 s more system time; for 1M high-volume FHV rows, 0.3 s. The
peak grows 20 MB (yellow 195 MB, FHV 230 MB)."""


class PartitionOutput(Protocol):
    def write(self, frame: pl.DataFrame, first_row: int) -> None:
        """Send (or stage) the rows of `frame`, whose first row is the partition's `first_row`."""


class FrameOutput(Protocol):
    def partition(self, stream: str, source: str, sent: Sent) -> AbstractContextManager[PartitionOutput]: ...


def frame_output(batch_config: BatchConfig | None, writer: SingerWriter) -> FrameOutput:
    return RecordOutput(writer) if batch_config is None else BatchOutput(batch_config, writer)


class RecordOutput:
    def __init__(self, writer: SingerWriter) -> None:
        self._writer = writer

    @contextmanager
    def partition(self, stream: str, source: str, sent: Sent) -> Iterator[_RecordPartition]:
        yield _RecordPartition(self._writer, stream, sent)


class _RecordPartition:
    def __init__(self, writer: SingerWriter, stream: str, sent: Sent) -> None:
        self._writer, self._stream, self._sent = writer, stream, sent

    def write(self, frame: pl.DataFrame, first_row: int) -> None:
        self._writer.record_lines(encode_records(self._stream, frame))
        self._sent(first_row + frame.height)


class BatchOutput:
    def __init__(self, config: BatchConfig, writer: SingerWriter) -> None:
        self._config = config
        self._writer = writer
        keep_freed_pages(BATCH_FREED_PAGES_MS)
        self._run_id = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{secrets.token_hex(4)}"

    @contextmanager
    def partition(self, stream: str, source: str, sent: Sent) -> Iterator[_BatchPartition]:
        part = _BatchPartition(self._config, self._writer, self._run_id, stream, source, sent)
        try:
            yield part
        except Stopped:
            part.finish()
            raise
        except BaseException:
            part.discard()
            raise
        part.finish()


class _BatchPartition:
    """Cuts a partition's frames into files of batch_size rows; each whole file is one BATCH message."""

    def __init__(
        self, config: BatchConfig, writer: SingerWriter, run_id: str, stream: str, source: str, sent: Sent
    ) -> None:
        self._config, self._writer, self._run_id = config, writer, run_id
        self._stream, self._source, self._sent = stream, source, sent
        self._file: BatchFile | None = None
        self._next_row = 0

    def write(self, frame: pl.DataFrame, first_row: int) -> None:
        offset = 0
        while offset < frame.height:
            if self._file is None:
                name = batch_file_name(self._config, self._stream, self._source, first_row + offset, self._run_id)
                self._file = BatchFile(self._config, name)
            take = min(frame.height - offset, self._config.batch_size - self._file.rows)
            self._file.write(frame.slice(offset, take))
            offset += take
            self._next_row = first_row + offset
            if self._file.rows == self._config.batch_size:
                self.finish()

    def finish(self) -> None:
        """Close the open file, if any, announce it, and report where the partition now stands."""
        if self._file is None:
            return
        url = self._file.close()
        self._file = None
        self._writer.batch(self._stream, self._config.encoding, [url])
        self._sent(self._next_row)

    def discard(self) -> None:
        if self._file is not None:
            self._file.discard()
            self._file = None
