"""Arrow batches as PostgreSQL's binary COPY data, encoded by pgpq.

The server reads binary fields in about half the CPU time it spends
parsing CSV text. pgpq encodes a slice of Arrow rows in one call in Rust,
which measured cheaper in this pipeline than building the format column by
column with numpy (far fewer calls, so far fewer hand-overs of the GIL
between the decoding, committing and encoding threads).

What this module decides is which batches go binary and in what Arrow form:
only what lands exactly as the server would parse the same text, into
columns of the types this target creates. Integers, doubles, booleans,
text, JSON and Arrow decimals (at their type's scale, as in their CSV text)
go as they are; timestamps with an explicit offset and dates are read by
Arrow's strict ISO 8601 parser. Anything else (a timestamp without an
offset, which the server reads in the session's time zone; a time of day;
decimals kept as text, whose own scale the server keeps; a column of
another type) makes `prepared` return None, and the caller sends the batch
as CSV, which the server parses as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from pgpq import ArrowToPostgresBinaryEncoder
from pgpq.encoders import StringEncoderBuilder
from pgpq.schema import Jsonb

if TYPE_CHECKING:
    # Only pgpq's type stubs name the union of its encoder builders.
    from pgpq._pgpq import EncoderBuilder

_TIMESTAMP = pa.timestamp("us", "UTC")
# Where the hour of a timestamp Arrow reads ends: it takes only YYYY-MM-DD?HH...
_HOUR_END = 13

Convert = Callable[[pa.ChunkedArray], pa.ChunkedArray]


@dataclass(frozen=True)
class BinaryBatch:
    """A batch in the Arrow form pgpq encodes exactly, and the encoder of
    each column that pgpq would not infer from its Arrow type."""

    table: pa.Table
    encoders: Mapping[str, EncoderBuilder]

    def slices(self, rows: int) -> Iterator[bytes]:
        """The whole COPY data: header, the tuples `rows` at a time, trailer."""
        encoders = {
            f.name: self.encoders.get(f.name) or ArrowToPostgresBinaryEncoder.infer_encoder(f)
            for f in self.table.schema
        }
        encoder = ArrowToPostgresBinaryEncoder.new_with_encoders(self.table.schema, encoders)
        yield encoder.write_header()
        for batch in self.table.to_batches(max_chunksize=rows):
            yield encoder.write_batch(batch)
        yield encoder.finish()


def prepared(table: pa.Table, native_types: Mapping[str, str], columns: Sequence[str]) -> BinaryBatch | None:
    """The table as binary COPY takes it, when every column encodes exactly;
    None sends the batch as CSV.

    `columns` are the table's columns' names in the database, in order;
    `native_types` the database's type of each."""
    wire: list[pa.ChunkedArray] = []
    encoders: dict[str, EncoderBuilder] = {}
    for name, column, values in zip(columns, table.column_names, table.columns, strict=True):
        native = native_types.get(name)
        convert = _conversion(native, values.type)
        if convert is None:
            return None
        try:
            values = convert(values)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if native == "jsonb":
            encoders[column] = StringEncoderBuilder.new_with_output(pa.field(column, values.type), Jsonb())
        wire.append(values)
    return BinaryBatch(pa.table(wire, names=table.column_names), encoders)


def _conversion(native: str | None, arrow: pa.DataType) -> Convert | None:
    if pa.types.is_null(arrow):
        # NULL is the same field whatever the column's type.
        return _as_text
    for natives, accepts, convert in _CONVERSIONS:
        if native in natives and accepts(arrow):
            return convert
    return None


def _as_is(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return values


def _as_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return values.cast(pa.string())


def _as_decimal(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return values.cast(pa.decimal128(19, 0))


def _parsed_timestamps(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text with an offset, or an Arrow timestamp with a zone, as microseconds
    in UTC; a value without an offset or with finer digits is refused, and so
    is an hour without minutes (2021-01-01T00Z), which the server refuses."""
    if pa.types.is_string(values.type):
        minutes_follow = pc.equal(pc.utf8_slice_codeunits(values, _HOUR_END, _HOUR_END + 1), ":")
        if pc.all(minutes_follow).as_py() is False:
            raise pa.ArrowInvalid("an hour without minutes")
    return values.cast(_TIMESTAMP)


def _parsed_dates(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return values.cast(pa.date32())


def _is_zoned_timestamp(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_string(arrow) or (pa.types.is_timestamp(arrow) and arrow.tz is not None))


def _is_date(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_string(arrow) or pa.types.is_date32(arrow))


# For each type this target creates: the Arrow types that go binary, and how.
_CONVERSIONS: tuple[tuple[frozenset[str], Callable[[pa.DataType], bool], Convert], ...] = (
    (frozenset({"bigint"}), pa.types.is_int64, _as_is),
    (frozenset({"double precision"}), pa.types.is_float64, _as_is),
    (frozenset({"boolean"}), pa.types.is_boolean, _as_is),
    (frozenset({"numeric"}), pa.types.is_decimal128, _as_is),
    (frozenset({"numeric"}), pa.types.is_int64, _as_decimal),
    (frozenset({"text", "json", "jsonb"}), pa.types.is_string, _as_is),
    (frozenset({"timestamp with time zone"}), _is_zoned_timestamp, _parsed_timestamps),
    (frozenset({"date"}), _is_date, _parsed_dates),
)
