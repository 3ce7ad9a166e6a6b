"""Turning the columns of a parquet BATCH file into the decoder's representation.

A parquet file arrives typed, so its columns go to the loader by Arrow's
casts, never through JSON or Python objects: integers and decimals exactly,
date-times as UTC ISO 8601 text (a naive one is UTC, as Singer says), or as
Arrow timestamp[us, UTC] for a loader that takes them typed
(LoaderCapabilities.typed_timestamps), dates and times as ISO text, the
same representation RECORD lines decode to (arrow_decode). Python sees
values only on two paths that are rare or already per value: a JSON column
(nested objects and lists become JSON text), and a column its type refuses,
searched for the first value at fault to name its row with record_values'
own words.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from singer_lite_core.target_driver.decimal_columns import DecimalColumns
from singer_lite_core.target_driver.logical_types import LogicalType, WiderTypeNeeded
from singer_lite_core.target_driver.record_values import BadValue, converter, dumps_json

DECIMALS = frozenset({LogicalType.DECIMAL, LogicalType.WIDE_DECIMAL})
TYPED_TIMESTAMP = pa.timestamp("us", "UTC")


class BadRow(Exception):
    """A value of the column at `row` (0-based in the piece) that its type cannot hold."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


def arrow_kind(arrow: pa.DataType, number_as_float: bool = False) -> LogicalType | None:
    """The logical type a parquet column's values have, as logical_types.value_type
    gives one JSON value's (None for a column of nulls only)."""
    if pa.types.is_null(arrow):
        return None
    if pa.types.is_boolean(arrow):
        return LogicalType.BOOLEAN
    if pa.types.is_integer(arrow):
        return LogicalType.DECIMAL if arrow == pa.uint64() else LogicalType.INTEGER
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return LogicalType.FLOAT if number_as_float else LogicalType.DECIMAL
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        return LogicalType.STRING
    if pa.types.is_timestamp(arrow):
        return LogicalType.TIMESTAMP
    if pa.types.is_date(arrow):
        return LogicalType.DATE
    if pa.types.is_time(arrow):
        return LogicalType.TIME
    return LogicalType.JSON


def converted(
    name: str,
    kind: LogicalType,
    values: pa.Array,
    decimals: DecimalColumns,
    strict_text: bool,
    typed_timestamps: bool,
) -> tuple[pa.Array, int]:
    """The column as the loader gets it, and how many of its values became
    NULL; WiderTypeNeeded when a value needs a wider column, BadRow for one
    no column of `kind` holds. `strict_text`: a STRING column typed from
    values (record_fields) takes only text. `typed_timestamps`: the loader's
    capability of that name."""
    arrow = values.type
    if kind in DECIMALS:
        if pa.types.is_null(arrow):
            return decimals.from_texts(name, kind, values.cast(pa.string()))
        result = decimals.from_arrow(name, kind, values)
        if result is not None:
            return result
    elif kind == LogicalType.JSON or (kind == LogicalType.STRING and not strict_text and pa.types.is_nested(arrow)):
        # A STRING column holds the objects of an anyOf property as JSON text, as record_values does.
        return pa.array([None if v is None else dumps_json(v) for v in values.to_pylist()], pa.string()), 0
    else:
        typed = _typed(kind, values, strict_text, typed_timestamps)
        if typed is not None:
            return typed, 0
    if kind == LogicalType.INTEGER and _is_whole_number_type(arrow):
        raise WiderTypeNeeded({name: LogicalType.DECIMAL})
    raise _first_refused(kind, values, strict_text)


def _typed(kind: LogicalType, values: pa.Array, strict_text: bool, typed_timestamps: bool) -> pa.Array | None:
    arrow = values.type
    if pa.types.is_null(arrow):
        return pa.nulls(len(values), _representation(kind))
    if kind == LogicalType.BOOLEAN:
        return values if pa.types.is_boolean(arrow) else None
    if kind == LogicalType.INTEGER:
        return _cast(values, pa.int64()) if _is_number_type(arrow) else None
    if kind == LogicalType.FLOAT:
        return _cast(values, pa.float64()) if _is_number_type(arrow) else None
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        return without_nul(values.cast(pa.string()))
    if kind == LogicalType.STRING and strict_text:
        return None
    if pa.types.is_timestamp(arrow) and kind == LogicalType.TIMESTAMP and typed_timestamps:
        typed = _cast(_as_utc(values), TYPED_TIMESTAMP)
        if typed is not None:
            return typed
    if pa.types.is_timestamp(arrow) and kind in (LogicalType.TIMESTAMP, LogicalType.DATE, LogicalType.STRING):
        return utc_text(values)
    if pa.types.is_date(arrow) and kind in (LogicalType.DATE, LogicalType.TIMESTAMP, LogicalType.STRING):
        return values.cast(pa.string())
    if pa.types.is_time(arrow) and kind in (LogicalType.TIME, LogicalType.STRING):
        return values.cast(pa.string())
    if kind == LogicalType.STRING and (_is_number_type(arrow) or pa.types.is_boolean(arrow)):
        return values.cast(pa.string())
    return None


def _representation(kind: LogicalType) -> pa.DataType:
    kinds = {LogicalType.BOOLEAN: pa.bool_(), LogicalType.INTEGER: pa.int64(), LogicalType.FLOAT: pa.float64()}
    return kinds.get(kind, pa.string())


def utc_text(values: pa.Array) -> pa.Array:
    """ISO 8601 text in UTC with its offset spelt out, as taps send date-times
    (and as a loader that takes typed timestamps writes them to a text column).
    A zoned timestamp holds UTC already, so it is read as a naive one: Arrow
    formats naive timestamps many times faster than zoned ones."""
    text = values.view(pa.timestamp(values.type.unit)).cast(pa.string())
    return pc.binary_join_element_wise(text, pa.scalar("+00:00"), "")


def _as_utc(values: pa.Array) -> pa.Array:
    """The timestamps marked UTC: a zoned one holds UTC already, a naive one is UTC."""
    return values.view(pa.timestamp(values.type.unit, "UTC"))


def _cast(values: pa.Array, arrow: pa.DataType) -> pa.Array | None:
    """The values in `arrow` if every one converts exactly (Arrow's safe cast)."""
    try:
        return values.cast(arrow)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _is_number_type(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_integer(arrow) or pa.types.is_floating(arrow) or pa.types.is_decimal(arrow))


def _is_whole_number_type(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_integer(arrow) or (pa.types.is_decimal(arrow) and arrow.scale == 0))


def one_array(values: pa.ChunkedArray) -> pa.Array:
    """The column as one array. A piece of a batch file is read as one chunk
    per column, which is taken as it is: combine_chunks copies even a single
    chunk (for 50k yellow rows, a fifth of the piece's decoding)."""
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()


def without_nul(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text without NUL characters, which no database here stores in text, for
    RECORD lines and batch files alike; searching decoded strings is much
    cheaper than searching raw lines for \\u0000 escapes."""
    if (
        pa.types.is_string(values.type)
        and _has_zero_byte(values)
        and pc.any(pc.match_substring(values, "\x00")).as_py()
    ):
        return pc.replace_substring(values, "\x00", "")
    return values


def _has_zero_byte(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether the text's character data holds a zero byte, which in UTF-8 only
    NUL is: counting bytes costs a twentieth of searching the strings (60 ms
    for 1M file names), and text almost never holds one. Bytes of a sliced
    array outside its rows count too, which costs only the search."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is not None and np.count_nonzero(np.frombuffer(data, np.uint8)) < data.size:
            return True
    return False


def _first_refused(kind: LogicalType, values: pa.Array, strict_text: bool) -> BadRow:
    """The first value the column's type refuses, in record_values' words."""
    convert = converter(kind, strict_text)
    for row, value in enumerate(values.to_pylist()):
        try:
            convert(value)
        except BadValue as error:
            return BadRow(row, str(error))
    return BadRow(0, f"parquet values of type {values.type} do not fit a column of type {kind.value}")
