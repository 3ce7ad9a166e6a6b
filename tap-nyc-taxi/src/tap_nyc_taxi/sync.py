"""Running a sync: SCHEMA, then RECORDs in batches, with STATE after every batch.

A STATE follows every batch of records (so at least every state_every_rows
records), or with batch_config every BATCH message (frame_output.py), and
the end of every file; each one is a complete, resumable value,
so whichever one a target last echoed is a safe place to restart. Sync knows
no stream by name: each stream says whether it is configured, whether the
`shard` setting splits it (shards.py), and yields its partitions, and an
incremental stream's partitions carry the file version their bookmarks are
keyed by.

A stop asked by a signal (stop_request.py) is honoured after the batch
being written: batches are written whole, so the output then ends at a line
boundary, and a final STATE says what it holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from singer_lite_core import metrics
from singer_lite_core.errors import InputError, where
from singer_lite_core.stop_request import Stopped, StopRequest
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi.bookmarks import Bookmarks
from tap_nyc_taxi.catalog import Selection
from tap_nyc_taxi.code_tally import CodeTally
from tap_nyc_taxi.column_mapping import ColumnPlan
from tap_nyc_taxi.frame_output import frame_output
from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import OpenedFile
from tap_nyc_taxi.stream import Partition, Stream
from tap_nyc_taxi.table_readers import TableReader

if TYPE_CHECKING:
    from tap_nyc_taxi.mapped_output import MappedRecordOutput

log = logging.getLogger(__name__)


class Sync:
    def __init__(
        self,
        config: TapConfig,
        bookmarks: Bookmarks,
        writer: SingerWriter,
        stop: StopRequest | None = None,
        *,
        record_limit: int | None = None,
    ) -> None:
        """record_limit ends each stream after that many records: `--test`, singer-sdk's dry run."""
        self._config = config
        self._record_limit = record_limit
        self._bookmarks = bookmarks
        self._writer = writer
        self._mapped = _mapped_output(config, writer)
        self._output = self._mapped or frame_output(config.batch_config, writer)
        self._stop = stop or StopRequest()
        self._codes = CodeTally()
        self._remote = RemoteFiles(
            config.cache_dir, config.http_retries, config.http_backoff_seconds, config.http_timeout_seconds
        )

    def run(self, selections: list[Selection]) -> None:
        """Sync every selection, then write the final STATE; a stop ends the
        run early, with that final STATE all the same."""
        try:
            for selection in selections:
                self._sync_stream(selection)
        except Stopped:
            self._codes.report()
            self._writer.state(self._bookmarks.value())
            raise
        self._codes.report()
        self._writer.state(self._bookmarks.value())

    def write_schemas(self, selections: list[Selection]) -> None:
        """`--test=schema`: the SCHEMA each configured stream's sync starts with, and nothing else."""
        for selection in selections:
            if selection.stream.is_configured(self._config) and self._in_shard(selection.stream):
                self._write_schema(selection)

    def _write_schema(self, selection: Selection) -> None:
        """The stream's SCHEMA, or with stream maps the SCHEMA of every stream it maps to."""
        stream = selection.stream
        if self._mapped is None:
            self._writer.schema(stream.name, selection.schema(), stream.key_properties, _bookmark_keys(selection))
            return
        for output in self._mapped.outputs(stream.name, selection.schema(), stream.key_properties):
            if not output.removed:
                self._writer.schema(output.alias, output.schema, output.key_properties or (), _bookmark_keys(selection))

    def _sync_stream(self, selection: Selection) -> None:
        stream = selection.stream
        self._stop.check()
        if not stream.is_configured(self._config):
            log.info("%s: skipped, no source configured for it", stream.name)
            return
        if not self._in_shard(stream):
            log.info("%s: skipped, %s: it is not split by month, so shard 0 reads it", stream.name, self._config.shard)
            return
        self._write_schema(selection)
        written = _Written(metrics.record_counter(stream.name, context={}), self._record_limit)
        try:
            with metrics.sync_timer(stream.name, context={}):
                for partition in stream.partitions(self._config, self._remote):
                    self._stop.check()
                    self._sync_partition(selection, partition, written)
                    if written.full:
                        break
        except InputError as error:
            raise InputError(f"{where(stream.name)}: {error}") from None
        finally:
            written.counter.close()

    def _in_shard(self, stream: Stream) -> bool:
        """Whether this run reads any of the stream: a stream split by month has months in every
        shard (trip_files picks them), a stream read whole belongs to shard 0."""
        return stream.split_by_month or self._config.shard.reads_whole_streams

    def _sync_partition(self, selection: Selection, partition: Partition, written: _Written) -> None:
        stream = selection.stream.name
        bookmarked = partition.file if selection.replication == "INCREMENTAL" else None
        if bookmarked is None:
            self._emit(selection, partition.open_reader(), 0, written, after_batch=None)
            return
        start = self._start_row(stream, bookmarked)
        if start is None:
            return

        def advance(rows_done: int, complete: bool) -> None:
            self._bookmarks.advance(stream, bookmarked.source.name, bookmarked.fingerprint, rows_done, complete)
            self._writer.state(self._bookmarks.value())

        self._emit(selection, partition.open_reader(), start, written, after_batch=advance)

    def _start_row(self, stream: str, opened: OpenedFile) -> int | None:
        """Where to start in this file, or None when it is done and unchanged."""
        progress = self._bookmarks.progress(stream, opened.source.name)
        if progress is None:
            return 0
        if progress.fingerprint != opened.fingerprint:
            log.info("%s: %s changed since it was bookmarked; reading it from the start", stream, opened.source.name)
            return 0
        if progress.complete:
            log.info("%s: %s already loaded; skipping", stream, opened.source.name)
            return None
        log.info("%s: resuming %s after row %d", stream, opened.source.name, progress.rows_done)
        return progress.rows_done

    def _emit(
        self,
        selection: Selection,
        reader: TableReader,
        start: int,
        written: _Written,
        *,
        after_batch: Callable[[int, bool], None] | None,
    ) -> None:
        stream = selection.stream
        plan = ColumnPlan(
            stream.name,
            reader.name,
            stream.column_types(),
            reader.columns,
            with_lineage=stream.lineage,
            ignore_unknown_columns=self._config.ignore_unknown_columns,
            required=frozenset(stream.key_properties),
            codes=self._codes,
        )
        started, rows_done, emitted = time.monotonic(), start, 0

        def sent(rows_sent: int) -> None:
            if after_batch is not None:
                after_batch(rows_sent, False)

        with self._output.partition(stream.name, reader.name, sent) as output:
            for first_row, batch in reader.batches(start):
                frame = plan.frame(batch, first_row).select(selection.properties).head(written.room(batch.num_rows))
                output.write(frame, first_row)
                rows_done, emitted = first_row + frame.height, emitted + frame.height
                written.add(frame.height)
                if written.full:
                    break
                self._stop.check()
        if after_batch is not None and not written.full:
            after_batch(rows_done, True)
        elapsed = time.monotonic() - started
        log.info(
            "%s: %s: %d records in %.1f s (%.0f/s)",
            stream.name,
            reader.name,
            emitted,
            elapsed,
            emitted / max(elapsed, 1e-9),
        )


@dataclass
class _Written:
    """A stream's records written so far: counted per batch for its METRIC
    line, and capped at `limit` by --test."""

    counter: metrics.Counter
    limit: int | None
    total: int = 0

    def room(self, rows: int) -> int:
        return rows if self.limit is None else min(rows, self.limit - self.total)

    def add(self, rows: int) -> None:
        self.total += rows
        self.counter.add(rows)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.total >= self.limit


def _bookmark_keys(selection: Selection) -> tuple[str, ...]:
    replication_key = selection.stream.replication_key
    return (replication_key,) if selection.replication == "INCREMENTAL" and replication_key else ()


def _mapped_output(config: TapConfig, writer: SingerWriter) -> MappedRecordOutput | None:
    """The output through stream maps, when they are set; the maps' engine is
    loaded only then (40 ms of every other run's start)."""
    if not config.stream_maps.active:
        return None
    from singer_lite_core.stream_maps.stream_mapper import StreamMapper  # noqa: PLC0415 - see the docstring
    from tap_nyc_taxi.mapped_output import MappedRecordOutput  # noqa: PLC0415 - see the docstring

    return MappedRecordOutput(writer, StreamMapper(config.stream_maps))
