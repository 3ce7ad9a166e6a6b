"""The generic target: read, route, flush, and release STATE only after commit.

Every target of the suite is this driver plus a Loader. The driver decides
when to flush and what a batch contains; it hands each batch to the loader
on the committer thread, and tells the STATE ledger which records are
durable once the loader returns. If anything fails, the exception ends the
run before the ledger hears of the failed batch, so no STATE past the last
commit is ever written.

The files a BATCH message lists (batch_files.py) hold records of its
stream: jsonl ones are buffered and decoded as RECORD lines are, parquet
ones decoded by Arrow piece by piece; either way their rows count as
received records, so a STATE after a BATCH waits for their commit.

An overwrite stream's rows are committed only when the loader's `finish`
swaps them in at the end of the input: its batches and ACTIVATE_VERSIONs
make nothing durable yet, so they count no records, and the swap counts
them all.

A stop asked by a signal (stop_request.py) ends the run at the next message:
the load in flight may finish, nothing buffered or queued is committed, and
the STATE the committed records justify is the last one written. Input cut
in the middle of its last line (a tap killed while writing) commits every
whole record before the cut, and then fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from singer_lite_core import metrics
from singer_lite_core.errors import ConnectorError, InputError, where
from singer_lite_core.stop_request import Stopped, StopRequest
from singer_lite_core.target_driver import batch_files
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.arrow_decode import DecodedRecords, RecordDecoder
from singer_lite_core.target_driver.batching import FlushPolicy, StreamBuffer
from singer_lite_core.target_driver.committer import Committer, Job
from singer_lite_core.target_driver.dedupe import last_per_key
from singer_lite_core.target_driver.loader import Batch, Loader
from singer_lite_core.target_driver.logical_types import WiderTypeNeeded, join
from singer_lite_core.target_driver.lost_values import LostValues
from singer_lite_core.target_driver.mapped_records import MappedRecords
from singer_lite_core.target_driver.messages import BatchFile, ControlMessage, Message, RecordLines, TruncatedInput
from singer_lite_core.target_driver.state_ledger import StateLedger
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema, parse_schema_message
from singer_lite_core.target_driver.target_settings import LoadMethod, TargetSettings

log = logging.getLogger(__name__)

AGE_CHECK_SECONDS = 1.0


@dataclass
class _Stream:
    schema: StreamSchema
    message_key: tuple[Any, Any]
    decoder: RecordDecoder
    method: LoadMethod
    buffer: StreamBuffer = field(default_factory=StreamBuffer)
    loaded: int = 0
    # BATCH files to delete once an overwrite's swap commits their rows.
    files: list[BatchFile] = field(default_factory=list)

    @property
    def overwrite(self) -> bool:
        return self.method == LoadMethod.OVERWRITE


class TargetRunner:
    def __init__(
        self,
        loader: Loader,
        settings: TargetSettings,
        emit_state: Callable[[Any], None],
        stop: StopRequest | None = None,
    ) -> None:
        self._loader = loader
        self._capabilities = loader.capabilities
        self._settings = settings
        self._policy = FlushPolicy(settings.batch_size_rows, settings.batch_size_bytes, settings.batch_wait_seconds)
        self._ledger = StateLedger(emit_state)
        self._maps = MappedRecords(settings.stream_maps) if settings.stream_maps.active else None
        self._streams: dict[str, _Stream] = {}
        self._stop = stop or StopRequest()
        self._committer = Committer(loader.is_transient, settings.retry_attempts, stop=self._stop)
        # _sdc_sequence = start time in ms * 10^6 + input line: increases within
        # a run and from one run to the next, and fits a bigint until 2262.
        self._sequence_base = time.time_ns() // 1_000_000 * 1_000_000
        self._buffered = 0
        self._last_age_check = time.monotonic()
        self._lost = LostValues()
        self._record_counters: dict[str, metrics.Counter] = {}

    def run(self, messages: Iterable[Message | None]) -> None:
        """Process messages in order; None means the input is idle for now."""
        try:
            cut = self._route(messages)
            for name in list(self._streams):
                self._flush(name)
            if cut is None:
                for name in self._streams:
                    self._finish(name)
            self._committer.wait_idle()
            self._collect()
            if cut is not None:
                raise cut
        finally:
            # Batches committed before a failure still justify their STATEs.
            self._committer.stop()
            self._collect()
            self._loader.close()
            self._lost.report()
        for name, stream in self._streams.items():
            log.info("stream %r: %d records loaded", name, stream.loaded)
        for counter in self._record_counters.values():
            counter.close()

    def _route(self, messages: Iterable[Message | None]) -> TruncatedInput | None:
        """Route messages to the end of the input; a cut last line ends it too,
        and is returned, to be raised once the records before it are committed.

        After a stop is asked, only the STATE messages that come next are
        still taken: they make no work, and may be what the load in flight
        confirms. Anything else ends the run."""
        try:
            for message in messages:
                stop = self._stop.signal
                if stop is not None and not _is_state(message):
                    log.info("%s received: taking no more input; waiting for the load in flight", stop.name)
                    raise Stopped(stop)
                if isinstance(message, RecordLines):
                    self._records(message)
                elif message is not None:
                    self._control(message)
                self._flush_due()
                self._collect()
        except TruncatedInput as cut:
            return cut
        return None

    def _records(self, lines: RecordLines) -> None:
        if self._maps is None:
            self._buffer(lines)
            return
        for mapped in self._maps.records(lines):
            self._buffer(mapped)

    def _buffer(self, lines: RecordLines) -> None:
        stream = self._streams.get(lines.stream)
        if stream is None:
            raise InputError(f"{where(lines.stream, line=lines.first_line)}: RECORD before the stream's SCHEMA")
        stream.buffer.add(lines)
        self._buffered += len(lines.data)
        self._ledger.received(lines.stream, lines.count)
        if self._policy.full(stream.buffer):
            self._flush(lines.stream)

    def _control(self, message: ControlMessage) -> None:
        if message.type == "STATE":
            self._ledger.state(message.body["value"])
        elif self._maps is None:
            self._stream_message(message)
        elif message.type == "SCHEMA":
            for schema in self._maps.schemas(message):
                self._schema(schema)
        elif message.type == "BATCH" and self._maps.changes(message.stream):
            at = where(message.stream, line=message.line)
            raise InputError(f"{at}: stream maps and flattening apply to RECORD messages, not to BATCH files")
        else:
            for name in self._maps.stream_names(message.stream):
                self._stream_message(replace(message, body={**message.body, "stream": name}))

    def _stream_message(self, message: ControlMessage) -> None:
        if message.type == "SCHEMA":
            self._schema(message)
        elif message.type == "BATCH":
            self._batch(message)
        else:
            self._activate_version(message)

    def _schema(self, message: ControlMessage) -> None:
        name = message.stream
        key = (message.body.get("schema"), message.body.get("key_properties"))
        existing = self._streams.get(name)
        if existing is not None and existing.message_key == key:
            return
        schema = parse_schema_message(message.body, message.line, self._settings.number_as_float)
        method = self._settings.method_for(schema.key_properties)
        if method == LoadMethod.APPEND_ONLY or not schema.key_properties:
            if method == LoadMethod.UPSERT:
                log.warning("stream %r has no key properties, so it is appended to, not upserted", name)
            # Appending duplicates is the point of append-only, so the table gets no key.
            schema = replace(schema, key_properties=())
        if self._settings.add_record_metadata:
            schema = schema.with_extra(meta.RECORD_METADATA)
        if existing is not None:
            self._flush(name)
            schema = schema.with_extra([c for c in existing.schema.columns if c in meta.VERSION_METADATA])
            schema = schema.with_record_fields(existing.schema.record_fields)
        effective = self._prepare(schema, message.line, method == LoadMethod.OVERWRITE)
        self._streams[name] = _Stream(
            effective, key, self._decoder(effective), method, loaded=0 if existing is None else existing.loaded
        )

    def _activate_version(self, message: ControlMessage) -> None:
        name = message.stream
        stream = self._streams.get(name)
        if stream is None:
            raise InputError(f"{where(name, line=message.line)}: ACTIVATE_VERSION before the stream's SCHEMA")
        self._flush(name)
        if stream.schema.column(meta.TABLE_VERSION) is None:
            self._evolve(stream, stream.schema.with_extra(meta.VERSION_METADATA), message.line)
        schema, version, hard = stream.schema, message.body["version"], self._settings.hard_delete
        retire = partial(self._loader.activate_version, schema, version, hard)
        self._committer.submit(Job(name, self._durable_upto(stream), retire, line=message.line))

    def _batch(self, message: ControlMessage) -> None:
        """Load the rows of a BATCH message's files as RECORDs of the stream
        would load, each file flushed apart from other rows so that errors
        name its rows; its rows count as received, so a STATE after the BATCH
        waits for their commit. A file is deleted (clean_up_batch_files) only
        after its rows are committed: for an overwrite stream, after the swap."""
        name = message.stream
        stream = self._streams.get(name)
        if stream is None:
            raise InputError(f"{where(name, line=message.line)}: BATCH before the stream's SCHEMA")
        self._flush(name)
        encoding = message.body["encoding"]
        for index, uri in enumerate(message.body["manifest"]):
            file = BatchFile(name, uri, message.line, index, message.body.get("version"))
            if encoding["format"] == "jsonl":
                for lines in batch_files.jsonl_pieces(file, encoding.get("compression")):
                    self._stop.check()
                    self._records(lines)
                self._flush(name)
            else:
                for piece in batch_files.parquet_pieces(file, self._settings.batch_size_rows):
                    self._stop.check()
                    self._parquet_piece(stream, file, piece)
            if self._settings.clean_up_batch_files:
                self._clean_up(stream, file)

    def _parquet_piece(self, stream: _Stream, file: BatchFile, piece: batch_files.ParquetPiece) -> None:
        """Rows of a parquet file go to the loader as Arrow, not through the buffer of lines."""
        self._ledger.received(file.stream, piece.table.num_rows)
        received_at = datetime.now(UTC)

        def decode(decoder: RecordDecoder) -> DecodedRecords:
            return decoder.decode_parquet(piece.table, file, piece.first_row, received_at, datetime.now(UTC))

        self._submit(stream, self._decode(stream, decode, file.line), file, piece.whole_file)

    def _clean_up(self, stream: _Stream, file: BatchFile) -> None:
        """Delete the file once the writes before it commit; an overwrite's
        rows are durable only at its swap, so its files wait for `_finish`."""
        if stream.overwrite:
            stream.files.append(file)
            return
        delete = partial(batch_files.delete, file)
        self._committer.submit(Job(file.stream, self._durable_upto(stream), delete, line=file.line))

    def _flush_due(self) -> None:
        now = time.monotonic()
        if self._buffered < self._settings.batch_size_bytes and now - self._last_age_check < AGE_CHECK_SECONDS:
            return
        self._last_age_check = now
        for name in self._policy.streams_to_flush({n: s.buffer for n, s in self._streams.items()}):
            self._flush(name)

    def _flush(self, name: str) -> None:
        stream = self._streams[name]
        self._buffered -= stream.buffer.size
        segments = stream.buffer.take()
        if not segments:
            return
        first_line = segments[0].lines.file.line if segments[0].lines.file else segments[0].lines.first_line
        decoded = self._decode(stream, lambda decoder: decoder.decode(segments, datetime.now(UTC)), first_line)
        self._submit(stream, decoded, segments[0].lines.file)

    def _submit(
        self, stream: _Stream, decoded: DecodedRecords, file: BatchFile | None, whole_file: bool = False
    ) -> None:
        """Hand decoded rows to the loader: the last row per key, as one batch.
        `whole_file`: the rows are all of a parquet file's, whose values the
        loader may then take from the file itself if nothing changed them."""
        name = stream.schema.stream
        self._lost.count(name, decoded)
        table, lines = last_per_key(decoded.table, decoded.lines, stream.schema.key_properties)
        as_sent = whole_file and table.num_rows == decoded.table.num_rows and not decoded.nulled and not decoded.dropped
        batch = Batch(stream.schema, table, lines, file, as_sent)
        stream.loaded += decoded.table.num_rows
        self._record_counter(name).add(decoded.table.num_rows)
        load = partial(_timed, name, partial(self._loader.load, batch))
        self._committer.submit(Job(name, self._durable_upto(stream), load, batch=batch))

    def _record_counter(self, name: str) -> metrics.Counter:
        counter = self._record_counters.get(name)
        if counter is None:
            counter = self._record_counters[name] = metrics.record_counter(name)
        return counter

    def _finish(self, name: str) -> None:
        """At the end of a good input: the stream's table exists from here on,
        and an overwrite's rows are swapped in, which makes them all durable."""
        self._committer.submit(Job(name, self._ledger.received_count(name), partial(self._loader.finish, name)))
        for file in self._streams[name].files:
            self._committer.submit(Job(name, self._ledger.received_count(name), partial(batch_files.delete, file)))

    def _durable_upto(self, stream: _Stream) -> int:
        """How many of the stream's records are durable once its next write
        commits: all received so far, or none until an overwrite's swap."""
        return 0 if stream.overwrite else self._ledger.received_count(stream.schema.stream)

    def _decode(
        self, stream: _Stream, decode: Callable[[RecordDecoder], DecodedRecords], first_line: int
    ) -> DecodedRecords:
        """Decode, widening the table first whenever a value needs it: the one
        place a column widens for its values (WiderTypeNeeded), as a SCHEMA
        widens it for its declaration, through the loader's prepare.
        `first_line` is the input line the rows start at (for their DDL's errors)."""
        while True:
            try:
                decoded = decode(stream.decoder)
            except WiderTypeNeeded as need:
                self._widen(stream, need, first_line)
                continue
            if decoded.versions.null_count < len(decoded.versions) and stream.schema.column(meta.TABLE_VERSION) is None:
                self._evolve(stream, stream.schema.with_extra(meta.VERSION_METADATA), first_line)
                continue
            return decoded

    def _widen(self, stream: _Stream, need: WiderTypeNeeded, line: int) -> None:
        """Widen each column to what its values need; a column the stream
        lacks (a record field its SCHEMA does not declare) is widened from
        nothing: added with the type its values need."""
        schema = stream.schema
        added = [Column(name, wider) for name, wider in need.needs.items() if schema.column(name) is None]
        widened = {
            c.name: Column(c.name, join(c.type, need.needs[c.name])) for c in schema.columns if c.name in need.needs
        }
        schema = schema.with_columns([widened.get(c.name, c) for c in schema.columns]).with_record_fields(added)
        self._evolve(stream, schema, line)
        for name, wider in need.needs.items():
            now = stream.schema.column(name)
            if now is None or join(now.type, wider) != now.type:
                # Decoding again would ask for the same widening forever.
                at = where(stream.schema.stream, line=line, column=name)
                raise ConnectorError(f"{at}: the loader did not widen the column to {wider.value}")
            if any(c.name == name for c in added):
                log.warning(
                    "%s: field %r is not declared in the stream's SCHEMA; added a column of type %s for it "
                    "(undeclared_fields is add-column)",
                    where(stream.schema.stream),
                    name,
                    now.type.value,
                )

    def _evolve(self, stream: _Stream, schema: StreamSchema, line: int) -> None:
        stream.schema = self._prepare(schema, line, stream.overwrite)
        stream.decoder = self._decoder(stream.schema)

    def _prepare(self, schema: StreamSchema, line: int, overwrite: bool) -> StreamSchema:
        """Run DDL on the committer thread, after every earlier batch, and wait
        for it; it makes no record durable, so it counts none."""
        result: list[StreamSchema] = []

        def prepare() -> None:
            result.append(self._loader.prepare(schema, overwrite))

        self._committer.submit(Job(schema.stream, 0, prepare, line=line))
        self._committer.wait_idle()
        return result[0]

    def _decoder(self, schema: StreamSchema) -> RecordDecoder:
        return RecordDecoder(
            schema,
            self._settings.validate_records,
            self._sequence_base,
            self._capabilities,
            undeclared=self._settings.undeclared_fields,
            number_as_float=self._settings.number_as_float,
        )

    def _collect(self) -> None:
        for job in self._committer.completed():
            self._ledger.committed(job.stream, job.upto)


def _timed(stream: str, load: Callable[[], None]) -> None:
    """A batch's load, each attempt reported as singer-sdk's batch_processing_time METRIC."""
    with metrics.batch_timer(stream):
        load()


def _is_state(message: Message | None) -> bool:
    return isinstance(message, ControlMessage) and message.type == "STATE"
