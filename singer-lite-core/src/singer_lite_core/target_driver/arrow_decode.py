"""Turning buffered RECORD lines of one stream into an Arrow table.

The fast path hands a whole block to pyarrow's JSON reader with a schema
derived from the stream's columns, so no Python code runs per record. Any
block the reader refuses (a malformed line, a value of the wrong type, an
integer too wide, a JSON column, a field the SCHEMA does not declare) goes
through the per-record path, which either decodes it exactly, asks for
columns to be added or widened first (WiderTypeNeeded), or names the line
and column at fault. Record fields the SCHEMA does not declare are handled
as record_fields says.

Decoded representation, shared by every target: BOOLEAN bool, INTEGER
int64 (a value past 64 bits widens the column to DECIMAL), FLOAT float64,
DECIMAL and WIDE_DECIMAL as the loader's capabilities make them best travel
(decimal_columns, which also turns NaN and Infinity into NULL for a database
that cannot hold them), STRING/TIMESTAMP/DATE/TIME the text as sent (the
database parses it; a parquet batch's timestamps stay Arrow timestamps for
a loader with typed_timestamps), JSON serialized JSON text. NUL characters
are removed from text, since PostgreSQL cannot store them and BigQuery
mangles them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from singer_lite_core.errors import InputError, where
from singer_lite_core.target_driver import metadata_columns as meta
from singer_lite_core.target_driver.batching import Segment
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.decimal_columns import DecimalColumns
from singer_lite_core.target_driver.json_values import JsonError, loads
from singer_lite_core.target_driver.logical_types import LogicalType, WiderTypeNeeded
from singer_lite_core.target_driver.messages import BatchFile, parse_line
from singer_lite_core.target_driver.parquet_columns import (
    BadRow,
    arrow_kind,
    converted,
    one_array,
    utc_text,
    without_nul,
)
from singer_lite_core.target_driver.record_fields import RecordFields
from singer_lite_core.target_driver.record_values import BadValue, converter, record_validator
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from singer_lite_core.target_driver.target_settings import UndeclaredFields

BLOCK_SIZE = 1 << 20
DECIMALS = frozenset({LogicalType.DECIMAL, LogicalType.WIDE_DECIMAL})

# The RECORD envelope as the Arrow reader sees it: every key the Singer spec
# allows must be listed, since the reader refuses unlisted fields (so that
# undeclared record fields leave the fast path).
ENVELOPE_FIELDS = (
    ("type", pa.string()),
    ("stream", pa.string()),
    ("time_extracted", pa.string()),
    ("version", pa.int64()),
)

# Every type but the decimals, whose type depends on the database.
ARROW_TYPES: dict[LogicalType, pa.DataType] = {
    LogicalType.BOOLEAN: pa.bool_(),
    LogicalType.INTEGER: pa.int64(),
    LogicalType.FLOAT: pa.float64(),
    LogicalType.STRING: pa.string(),
    LogicalType.TIMESTAMP: pa.string(),
    LogicalType.DATE: pa.string(),
    LogicalType.TIME: pa.string(),
    LogicalType.JSON: pa.string(),
}


@dataclass(frozen=True)
class DecodedRecords:
    """Rows in input order; `versions` is the envelope's table version, kept even
    when the stream has no version column, so the caller can add one.
    `dropped` counts, per undeclared field, the values dropped from records
    (undeclared_fields drop); `nulled` counts, per column, the NaN and
    Infinity values that became NULL (decimal_columns)."""

    table: pa.Table
    lines: np.ndarray
    versions: pa.ChunkedArray
    dropped: Mapping[str, int] = field(default_factory=dict)
    nulled: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Decoded:
    """What either path makes of a block's records, before the envelope columns."""

    columns: Mapping[str, pa.Array | pa.ChunkedArray]
    time_extracted: pa.Array | pa.ChunkedArray
    versions: pa.Array | pa.ChunkedArray
    dropped: Mapping[str, int] = field(default_factory=dict)
    nulled: Mapping[str, int] = field(default_factory=dict)


class RecordDecoder:
    """Decodes blocks of one stream's records to `stream`'s columns, raising
    WiderTypeNeeded when a value needs a column widened first."""

    def __init__(
        self,
        stream: StreamSchema,
        validate: bool,
        sequence_base: int,
        capabilities: LoaderCapabilities,
        *,
        undeclared: UndeclaredFields = UndeclaredFields.ADD_COLUMN,
        number_as_float: bool = False,
    ) -> None:
        self._stream = stream
        self._decimals = DecimalColumns(capabilities)
        self._typed_timestamps = capabilities.typed_timestamps
        self._sequence_base = sequence_base
        self._undeclared = undeclared
        self._number_as_float = number_as_float
        # A column added for a record field takes the record's value, even
        # when named like a metadata column that the envelope fills.
        self._envelope_filled = meta.ENVELOPE_FILLED - stream.added
        self._record_columns = [c for c in stream.columns if c.name not in self._envelope_filled]
        self._validator = record_validator(stream.json_schema) if validate else None
        self._fast = self._validator is None and all(c.type != LogicalType.JSON for c in self._record_columns)
        self._bodies = {long_digits: self._body(long_digits) for long_digits in (False, True)}
        self._envelopes = {
            long_digits: pa.schema([*ENVELOPE_FIELDS, ("record", pa.struct(list(body)))])
            for long_digits, body in self._bodies.items()
        }

    def _body(self, long_digits: bool) -> pa.Schema:
        """The record itself as the Arrow reader sees it (a jsonl BATCH file's line)."""
        return pa.schema([pa.field(c.name, self._read_type(c.type, long_digits)) for c in self._record_columns])

    def _read_type(self, kind: LogicalType, long_digits: bool) -> pa.DataType:
        if kind in DECIMALS:
            return self._decimals.read_type(kind, long_digits)
        return ARROW_TYPES[kind]

    def decode(self, segments: Sequence[Segment], batched_at: datetime) -> DecodedRecords:
        rows = sum(s.lines.count for s in segments)
        lines = np.concatenate([s.lines.numbers() for s in segments])
        decoded = self._decode_fast(segments, rows) if self._fast else None
        if decoded is None:
            decoded = self._decode_slow(segments)
        origin = segments[0].lines
        return self._assembled(decoded, lines, batched_at, lambda: _received_at(segments), origin.at, origin.file)

    def decode_parquet(
        self, piece: pa.Table, file: BatchFile, first_row: int, received_at: datetime, batched_at: datetime
    ) -> DecodedRecords:
        """Rows `first_row`... of a parquet BATCH file, decoded as `decode`
        decodes RECORD lines, by Arrow's casts (parquet_columns)."""
        rows = piece.num_rows
        lines = np.arange(first_row, first_row + rows, dtype=np.int64)
        fields = RecordFields(self._stream, self._undeclared, self._number_as_float)
        present = set(piece.column_names)
        for name in piece.column_names:
            if self._stream.column(name) is None:
                values = piece.column(name)
                at = file.at(_first_value_row(values, first_row))
                kind = arrow_kind(values.type, self._number_as_float)
                fields.check_column(name, kind, len(values) - values.null_count, at)
        columns: dict[str, pa.Array] = {}
        nulled: dict[str, int] = {}
        for c in self._record_columns:
            values = one_array(piece.column(c.name)) if c.name in present else pa.nulls(rows)
            try:
                columns[c.name], nulled[c.name] = converted(
                    c.name,
                    c.type,
                    values,
                    self._decimals,
                    c.name in fields.typed_by_values,
                    self._typed_timestamps,
                )
            except BadRow as bad:
                kind = arrow_kind(values.type, self._number_as_float)
                if kind is None or not fields.misfit_kind(c.name, kind):
                    raise InputError(f"{file.at(first_row + bad.row, c.name)}: {bad}") from None
                columns[c.name] = pa.nulls(rows, pa.string())
        needs = fields.needs()
        if needs:
            raise WiderTypeNeeded(needs)
        if self._validator is not None:
            self._validate_columns(columns, present, lines, file)
        decoded = _Decoded(
            columns,
            pa.nulls(rows, pa.string()),
            _versions(file, rows),
            dict(fields.dropped),
            {name: count for name, count in nulled.items() if count},
        )
        stamp = pa.scalar(received_at.isoformat())
        return self._assembled(decoded, lines, batched_at, lambda: pa.repeat(stamp, rows), file.at, file)

    def _assembled(
        self,
        decoded: _Decoded,
        lines: np.ndarray,
        batched_at: datetime,
        received_at: Callable[[], pa.Array],
        at: Callable[[int], str],
        file: BatchFile | None,
    ) -> DecodedRecords:
        """The stream's table from the record columns and the envelope's.
        Rows of a BATCH file take their _sdc_sequence from the BATCH message's line."""
        rows = len(lines)
        versions = decoded.versions
        sequence = lines if file is None else np.full(rows, file.line, dtype=np.int64)
        envelope: dict[str, Callable[[], pa.Array | pa.ChunkedArray]] = {
            meta.EXTRACTED_AT: lambda: decoded.time_extracted,
            meta.RECEIVED_AT: received_at,
            meta.BATCHED_AT: lambda: pa.repeat(pa.scalar(batched_at.isoformat()), rows),
            meta.SEQUENCE: lambda: pa.array(sequence + self._sequence_base),
            meta.TABLE_VERSION: lambda: versions,
        }
        arrays = [
            envelope[c.name]() if c.name in self._envelope_filled else decoded.columns[c.name]
            for c in self._stream.columns
        ]
        table = pa.table(arrays, names=list(self._stream.names))
        self._check_keys(table, lines, at)
        return DecodedRecords(
            table,
            lines,
            pa.chunked_array([versions]) if isinstance(versions, pa.Array) else versions,
            decoded.dropped,
            decoded.nulled,
        )

    def _decode_fast(self, segments: Sequence[Segment], rows: int) -> _Decoded | None:
        """Read segment by segment (no joined copy of the batch) into one chunked
        table; a segment of a jsonl BATCH file holds record bodies."""
        # Only where decimals may travel as doubles does the reader's type
        # depend on the digits, and only then is the text searched for them.
        long_digits = self._bodies[False] != self._bodies[True] and any(s.lines.long_digits for s in segments)
        envelope, body = self._envelopes[long_digits], self._bodies[long_digits]
        # Text can hold NUL only as the \u0000 escape (or a raw NUL, which the
        # reader refuses); most batches have neither, and skip the search of
        # every decoded string. A backslash or NUL byte is found by memchr,
        # many times faster than searching for the escape itself.
        maybe_nul = any(b"\\" in s.lines.data or b"\x00" in s.lines.data for s in segments)
        names = [c.name for c in self._record_columns]
        parts, time_extracted, versions = [], [], []
        for segment in segments:
            if segment.lines.file is not None:
                records = _read(segment.lines.data, body)
                if records is None:
                    return None
                time_extracted.append(pa.nulls(records.num_rows, pa.string()))
                versions.append(_versions(segment.lines.file, records.num_rows))
            else:
                part = _read(segment.lines.data, envelope)
                if part is None or part.column("record").null_count:
                    return None
                time_extracted.extend(part.column("time_extracted").chunks)
                versions.extend(part.column("version").chunks)
                records = part.select(["record"]).flatten().rename_columns(names)
            parts.append(records)
        table = pa.concat_tables(parts)
        if table.num_rows != rows:
            return None
        columns = {
            c.name: self._decimals.from_reader(table.column(i))
            if c.type in DECIMALS
            else (without_nul(table.column(i)) if maybe_nul else table.column(i))
            for i, c in enumerate(self._record_columns)
        }
        return _Decoded(columns, pa.chunked_array(time_extracted, pa.string()), pa.chunked_array(versions, pa.int64()))

    def _decode_slow(self, segments: Sequence[Segment]) -> _Decoded:
        stream = self._stream.stream
        fields = RecordFields(self._stream, self._undeclared, self._number_as_float)
        converters = [(c.name, converter(c.type, c.name in fields.typed_by_values)) for c in self._record_columns]
        values: list[list[Any]] = [[] for _ in converters]
        time_extracted: list[object] = []
        versions: list[object] = []
        for segment in segments:
            at = segment.lines.at
            for line_no, line in zip(segment.lines.numbers().tolist(), segment.lines.data.splitlines(), strict=False):
                message: dict[str, Any] = {}
                if segment.lines.file is not None:
                    record = _body_record(line, at(line_no))
                else:
                    message = parse_line(line, line_no, stream)
                    found = message.get("record")
                    if not isinstance(found, dict):
                        raise InputError(f"{where(stream, line=line_no)}: RECORD message has no record object")
                    record = found
                fields.check(record, line_no, at)
                if self._validator is not None:
                    self._validate(record, at, line_no)
                for (name, convert), out in zip(converters, values, strict=True):
                    value = record.get(name)
                    try:
                        out.append(convert(value))
                    except BadValue as error:
                        if not fields.misfit(name, value):
                            raise InputError(f"{at(line_no, name)}: {error}") from None
                        out.append(None)
                time_extracted.append(_text_or_none(message.get("time_extracted")))
                version = message.get("version") if segment.lines.file is None else segment.lines.file.version
                versions.append(version if isinstance(version, int) and not isinstance(version, bool) else None)
        needs = fields.needs()
        if needs:
            raise WiderTypeNeeded(needs)
        columns: dict[str, pa.Array] = {}
        nulled: dict[str, int] = {}
        for column, c in zip(values, self._record_columns, strict=True):
            columns[c.name], nulled[c.name] = self._column(c, column)
        return _Decoded(
            columns,
            pa.array(time_extracted, pa.string()),
            pa.array(versions, pa.int64()),
            dict(fields.dropped),
            {name: count for name, count in nulled.items() if count},
        )

    def _column(self, column: Column, values: list[Any]) -> tuple[pa.Array, int]:
        """The column's array, and how many of its values became NULL."""
        if column.type in DECIMALS:
            return self._decimals.from_texts(column.name, column.type, values)
        try:
            return pa.array(values, type=ARROW_TYPES[column.type]), 0
        except OverflowError:
            # Only an integer past 64 bits overflows.
            raise WiderTypeNeeded({column.name: LogicalType.DECIMAL}) from None

    def _validate(self, record: dict[str, Any], at: Callable[[int], str], line_no: int) -> None:
        assert self._validator is not None
        error = next(iter(self._validator.iter_errors(record)), None)
        if error is not None:
            path = "/".join(str(p) for p in error.absolute_path) or "(record)"
            raise InputError(f"{at(line_no)}: record does not match its schema at {path}: {error.message[:200]}")

    def _validate_columns(
        self, columns: Mapping[str, pa.Array], present: set[str], lines: np.ndarray, file: BatchFile
    ) -> None:
        """Validate a parquet piece's rows as records: the fields the file has,
        JSON columns as the values they hold, typed timestamps as the text a
        RECORD would carry. The one place a parquet row becomes Python
        objects, since the validator reads nothing else."""
        sent = [c for c in self._record_columns if c.name in present]
        json_columns = [c.name for c in sent if c.type == LogicalType.JSON]
        table = pa.table({c.name: _as_sent(columns[c.name]) for c in sent})
        for line_no, record in zip(lines.tolist(), table.to_pylist(), strict=True):
            for name in json_columns:
                if record[name] is not None:
                    record[name] = loads(record[name].encode())
            self._validate(record, file.at, line_no)

    def _check_keys(self, table: pa.Table, lines: np.ndarray, at: Callable[[int], str]) -> None:
        for key in self._stream.key_properties:
            column = table.column(key)
            if column.null_count:
                row = pc.index(pc.is_null(column), True).as_py()
                raise InputError(f"{at(int(lines[row]))}: record has no value for key property {key!r}")


def _read(data: bytes, schema: pa.Schema) -> pa.Table | None:
    try:
        return pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(block_size=BLOCK_SIZE),
            parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _as_sent(values: pa.Array) -> pa.Array:
    return utc_text(values) if pa.types.is_timestamp(values.type) else values


def _versions(file: BatchFile, rows: int) -> pa.Array:
    """The table version of a BATCH file's rows: its message's, or none."""
    return pa.repeat(pa.scalar(file.version, pa.int64()), rows)


def _body_record(line: bytes, at: str) -> dict[str, Any]:
    """One line of a jsonl BATCH file: a record, as singer-sdk writes them."""
    try:
        record = loads(line)
    except JsonError as error:
        raise InputError(f"{at}: malformed JSON: {error}") from None
    if not isinstance(record, dict):
        raise InputError(f"{at}: a batch file line must be a record (a JSON object)")
    return record


def _first_value_row(values: pa.ChunkedArray, first_row: int) -> int:
    """The file row of the column's first value that is not null."""
    found: int = pc.index(pc.is_valid(values), True).as_py()
    return first_row + max(found, 0)


def _received_at(segments: Sequence[Segment]) -> pa.Array:
    stamps = pa.array([s.received_at.isoformat() for s in segments])
    counts = [s.lines.count for s in segments]
    return stamps.take(pa.array(np.repeat(np.arange(len(segments)), counts)))


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
