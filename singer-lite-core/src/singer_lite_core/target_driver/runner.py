"""The generic target: read, route, flush, and release STATE only after commit.

Every target of the suite is this driver plus a Loader. The driver decides
when to flush and what a batch contains; it hands each batch to the loader
on the committer thread, and tells the STATE ledger which records are
durable once the loader returns. If anything fails, the exception ends the
run before the ledger hears of the failed batch, so no STATE past the last
commit is ever written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from singer_lite_core.errors import ConnectorError, InputError, where
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.arrow_decode import DecodedRecords, RecordDecoder
from singer_lite_core.target_driver.batching import FlushPolicy, Segment, StreamBuffer
from singer_lite_core.target_driver.committer import Committer, Job
from singer_lite_core.target_driver.dedupe import last_per_key
from singer_lite_core.target_driver.loader import Batch, Loader
from singer_lite_core.target_driver.logical_types import WiderTypeNeeded, join
from singer_lite_core.target_driver.messages import ControlMessage, Message, RecordLines
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
    table_replaced: bool = False
    loaded: int = 0


class TargetRunner:
    def __init__(self, loader: Loader, settings: TargetSettings, emit_state: Callable[[Any], None]) -> None:
        self._loader = loader
        self._capabilities = loader.capabilities
        self._settings = settings
        self._policy = FlushPolicy(settings.batch_size_rows, settings.batch_size_bytes, settings.batch_wait_seconds)
        self._ledger = StateLedger(emit_state)
        self._streams: dict[str, _Stream] = {}
        self._committer = Committer(loader.is_transient, settings.retry_attempts)
        # _sdc_sequence = start time in ms * 10^6 + input line: increases within
        # a run and from one run to the next, and fits a bigint until 2262.
        self._sequence_base = time.time_ns() // 1_000_000 * 1_000_000
        self._buffered = 0
        self._last_age_check = time.monotonic()

    def run(self, messages: Iterable[Message | None]) -> None:
        """Process messages in order; None means the input is idle for now."""
        try:
            for message in messages:
                if isinstance(message, RecordLines):
                    self._records(message)
                elif message is not None:
                    self._control(message)
                self._flush_due()
                self._collect()
            for name in list(self._streams):
                self._flush(name)
            self._committer.wait_idle()
            self._collect()
        finally:
            # Batches committed before a failure still justify their STATEs.
            self._committer.stop()
            self._collect()
            self._loader.close()
        for name, stream in self._streams.items():
            log.info("stream %r: %d records loaded", name, stream.loaded)

    def _records(self, lines: RecordLines) -> None:
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
        elif message.type == "SCHEMA":
            self._schema(message)
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
        effective = self._prepare(schema, message.line)
        self._streams[name] = _Stream(
            effective,
            key,
            self._decoder(effective),
            method,
            table_replaced=existing is not None and existing.table_replaced,
            loaded=0 if existing is None else existing.loaded,
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
        upto = self._ledger.received_count(name)
        retire = Job(name, upto, lambda: self._loader.activate_version(schema, version, hard), line=message.line)
        self._committer.submit(retire)

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
        decoded = self._decode(stream, segments)
        table, lines = last_per_key(decoded.table, decoded.lines, stream.schema.key_properties)
        batch = Batch(
            stream.schema,
            table,
            lines,
            replace_table=stream.method == LoadMethod.OVERWRITE and not stream.table_replaced,
        )
        stream.table_replaced = True
        stream.loaded += decoded.table.num_rows
        self._committer.submit(
            Job(name, self._ledger.received_count(name), lambda: self._loader.load(batch), batch=batch)
        )

    def _decode(self, stream: _Stream, segments: list[Segment]) -> DecodedRecords:
        """Decode, widening the table first whenever a value needs it: the one
        place a column widens for its values (WiderTypeNeeded), as a SCHEMA
        widens it for its declaration, through the loader's prepare."""
        first_line = segments[0].lines.first_line
        while True:
            try:
                decoded = stream.decoder.decode(segments, datetime.now(UTC))
            except WiderTypeNeeded as need:
                self._widen(stream, need, first_line)
                continue
            if decoded.versions.null_count < len(decoded.versions) and stream.schema.column(meta.TABLE_VERSION) is None:
                self._evolve(stream, stream.schema.with_extra(meta.VERSION_METADATA), first_line)
                continue
            return decoded

    def _widen(self, stream: _Stream, need: WiderTypeNeeded, line: int) -> None:
        column = stream.schema.column(need.column)
        assert column is not None
        widened = Column(column.name, join(column.type, need.wider))
        self._evolve(
            stream, stream.schema.with_columns([widened if c == column else c for c in stream.schema.columns]), line
        )
        now = stream.schema.column(column.name)
        if now is None or join(now.type, need.wider) != now.type:
            # Decoding again would ask for the same widening forever.
            at = where(stream.schema.stream, line=line, column=need.column)
            raise ConnectorError(f"{at}: the loader did not widen the column to {need.wider.value}")

    def _evolve(self, stream: _Stream, schema: StreamSchema, line: int) -> None:
        stream.schema = self._prepare(schema, line)
        stream.decoder = self._decoder(stream.schema)

    def _prepare(self, schema: StreamSchema, line: int) -> StreamSchema:
        """Run DDL on the committer thread, after every earlier batch, and wait
        for it; it makes no record durable, so it counts none."""
        result: list[StreamSchema] = []
        self._committer.submit(Job(schema.stream, 0, lambda: result.append(self._loader.prepare(schema)), line=line))
        self._committer.wait_idle()
        return result[0]

    def _decoder(self, schema: StreamSchema) -> RecordDecoder:
        return RecordDecoder(schema, self._settings.validate_records, self._sequence_base, self._capabilities)

    def _collect(self) -> None:
        for job in self._committer.completed():
            self._ledger.committed(job.stream, job.upto)
