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
database parses it), JSON serialized JSON text. NUL characters are removed
from text, since PostgreSQL cannot store them and BigQuery mangles them.
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
from singer_lite_core.target_driver.logical_types import LogicalType, WiderTypeNeeded
from singer_lite_core.target_driver.messages import parse_line
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
        self._sequence_base = sequence_base
        self._undeclared = undeclared
        self._number_as_float = number_as_float
        # A column added for a record field takes the record's value, even
        # when named like a metadata column that the envelope fills.
        self._envelope_filled = meta.ENVELOPE_FILLED - stream.added
        self._record_columns = [c for c in stream.columns if c.name not in self._envelope_filled]
        self._validator = record_validator(stream.json_schema) if validate else None
        self._fast = self._validator is None and all(c.type != LogicalType.JSON for c in self._record_columns)
        self._envelopes = {long_digits: self._envelope(long_digits) for long_digits in (False, True)}

    def _envelope(self, long_digits: bool) -> pa.Schema:
        fields = [pa.field(c.name, self._read_type(c.type, long_digits)) for c in self._record_columns]
        return pa.schema([*ENVELOPE_FIELDS, ("record", pa.struct(fields))])

    def _read_type(self, kind: LogicalType, long_digits: bool) -> pa.DataType:
        if kind in DECIMALS:
            return self._decimals.read_type(kind, long_digits)
        return ARROW_TYPES[kind]

    def decode(self, segments: Sequence[Segment], batched_at: datetime) -> DecodedRecords:
        rows = sum(s.lines.count for s in segments)
        lines = np.concatenate(
            [np.arange(s.lines.first_line, s.lines.first_line + s.lines.count, dtype=np.int64) for s in segments]
        )
        decoded = self._decode_fast(segments, rows) if self._fast else None
        if decoded is None:
            decoded = self._decode_slow(segments)
        versions = decoded.versions
        envelope: dict[str, Callable[[], pa.Array | pa.ChunkedArray]] = {
            meta.EXTRACTED_AT: lambda: decoded.time_extracted,
            meta.RECEIVED_AT: lambda: _received_at(segments),
            meta.BATCHED_AT: lambda: pa.repeat(pa.scalar(batched_at.isoformat()), rows),
            meta.SEQUENCE: lambda: pa.array(lines + self._sequence_base),
            meta.TABLE_VERSION: lambda: versions,
        }
        arrays = [
            envelope[c.name]() if c.name in self._envelope_filled else decoded.columns[c.name]
            for c in self._stream.columns
        ]
        table = pa.table(arrays, names=list(self._stream.names))
        self._check_keys(table, lines)
        return DecodedRecords(
            table,
            lines,
            pa.chunked_array([versions]) if isinstance(versions, pa.Array) else versions,
            decoded.dropped,
            decoded.nulled,
        )

    def _decode_fast(self, segments: Sequence[Segment], rows: int) -> _Decoded | None:
        """Read segment by segment (no joined copy of the batch) into one chunked table."""
        envelope = self._envelopes[any(s.lines.long_digits for s in segments)]
        parts = []
        for segment in segments:
            part = _read(segment.lines.data, envelope)
            if part is None:
                return None
            parts.append(part)
        table = pa.concat_tables(parts)
        if table.num_rows != rows or table.column("record").null_count:
            return None
        time_extracted, versions = table.column("time_extracted"), table.column("version")
        table = table.select(["record"]).flatten()
        columns = {
            c.name: self._decimals.from_reader(table.column(i)) if c.type in DECIMALS else _without_nul(table.column(i))
            for i, c in enumerate(self._record_columns)
        }
        return _Decoded(columns, time_extracted, versions)

    def _decode_slow(self, segments: Sequence[Segment]) -> _Decoded:
        stream = self._stream.stream
        fields = RecordFields(self._stream, self._undeclared, self._number_as_float)
        converters = [(c.name, converter(c.type, c.name in fields.typed_by_values)) for c in self._record_columns]
        values: list[list[Any]] = [[] for _ in converters]
        time_extracted: list[object] = []
        versions: list[object] = []
        for segment in segments:
            for line_no, line in enumerate(segment.lines.data.splitlines(), start=segment.lines.first_line):
                message = parse_line(line, line_no, stream)
                record = message.get("record")
                if not isinstance(record, dict):
                    raise InputError(f"{where(stream, line=line_no)}: RECORD message has no record object")
                fields.check(record, line_no)
                if self._validator is not None:
                    self._validate(record, line_no)
                for (name, convert), out in zip(converters, values, strict=True):
                    value = record.get(name)
                    try:
                        out.append(convert(value))
                    except BadValue as error:
                        if not fields.misfit(name, value):
                            raise InputError(f"{where(stream, line=line_no, column=name)}: {error}") from None
                        out.append(None)
                time_extracted.append(_text_or_none(message.get("time_extracted")))
                version = message.get("version")
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

    def _validate(self, record: dict[str, Any], line_no: int) -> None:
        assert self._validator is not None
        error = next(iter(self._validator.iter_errors(record)), None)
        if error is not None:
            path = "/".join(str(p) for p in error.absolute_path) or "(record)"
            raise InputError(
                f"{where(self._stream.stream, line=line_no)}: record does not match its schema at {path}: "
                f"{error.message[:200]}"
            )

    def _check_keys(self, table: pa.Table, lines: np.ndarray) -> None:
        for key in self._stream.key_properties:
            column = table.column(key)
            if column.null_count:
                row = pc.index(pc.is_null(column), True).as_py()
                at = where(self._stream.stream, line=int(lines[row]))
                raise InputError(f"{at}: record has no value for key property {key!r}")


def _read(data: bytes, schema: pa.Schema) -> pa.Table | None:
    try:
        return pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(block_size=BLOCK_SIZE),
            parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _without_nul(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text without NUL characters; searching decoded strings is much cheaper
    than searching the raw lines for \\u0000 escapes."""
    if pa.types.is_string(values.type) and pc.any(pc.match_substring(values, "\x00")).as_py():
        return pc.replace_substring(values, "\x00", "")
    return values


def _received_at(segments: Sequence[Segment]) -> pa.Array:
    stamps = pa.array([s.received_at.isoformat() for s in segments])
    counts = [s.lines.count for s in segments]
    return stamps.take(pa.array(np.repeat(np.arange(len(segments)), counts)))


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
