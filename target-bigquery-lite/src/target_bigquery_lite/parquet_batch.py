"""Turning a decoded batch into the Parquet file one load job reads.

The core hands over its shared representation (dates and times as the text
the tap sent; decimals as NUMERIC's decimal128(38, 9) or BIGNUMERIC's
decimal256(76, 38), as the loader's capabilities say, or as text when no
decimal type holds a value, NaN and Infinity already NULL); BigQuery loads Parquet fastest and most
exactly when the file already has BigQuery's types, so values are converted
here, in Arrow's C++ casts for whole columns, and value by value only for a
column a cast refused, either to accept a rarer spelling or to name the row
at fault. The file always has every column of the table, in table order, so
the load job can use the table's own schema. A parquet BATCH file that is
already such a file (loads_as_is) goes to the load job as it is.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from singer_lite_core.errors import LoadError
from target_bigquery_lite.column_types import BIGNUMERIC

NUMERIC_ARROW = pa.decimal128(38, 9)
# Narrowest first. decimal128(38, 18) holds BIGNUMERIC values of up to 20
# integer digits exactly and is what emulators read best; decimal256(76, 38)
# holds the rest of BIGNUMERIC's range.
BIGNUMERIC_ARROW = (pa.decimal128(38, 18), pa.decimal256(76, 38))
TIMESTAMP_ARROW = pa.timestamp("us", tz="UTC")

_PLAIN_TYPES: dict[str, pa.DataType] = {
    "BOOL": pa.bool_(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "STRING": pa.string(),
}


@dataclass(frozen=True)
class FileColumn:
    """One column of the table; `source` is the batch column that fills it,
    None for a column the stream no longer sends (written as NULLs)."""

    name: str
    bq_type: str
    source: str | None


def parquet_file(batch: pa.Table, columns: Sequence[FileColumn]) -> io.BytesIO:
    table = bigquery_table(batch, columns)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    buffer.seek(0)
    return buffer


def loads_as_is(source: str | IO[bytes], columns: Sequence[FileColumn]) -> bool:
    """Whether loading a tap's parquet file (a path, or the file opened) is loading
    what parquet_file would write: the table's columns by name and in order,
    each in the type written for it, and no NUL character in its text (which
    the core removes). Its rows are the batch's (Batch.file_as_sent), so
    nothing is encoded again."""
    schema = pq.read_schema(source)
    if [f.name for f in schema] != [c.name for c in columns]:
        return False
    if any(f.type not in _written_types(c.bq_type) for f, c in zip(schema, columns, strict=True)):
        return False
    text = [c.name for c in columns if c.bq_type == "STRING"]
    return not text or not any(
        pc.any(pc.match_substring(t, "\x00")).as_py() for t in pq.read_table(source, columns=text).columns
    )


def _written_types(bq_type: str) -> tuple[pa.DataType, ...]:
    """The types bigquery_table writes a column of `bq_type` in; none for JSON,
    which a tap's file holds as text."""
    if bq_type in _PLAIN_TYPES:
        return (_PLAIN_TYPES[bq_type],)
    fixed = {
        "NUMERIC": (NUMERIC_ARROW,),
        BIGNUMERIC: BIGNUMERIC_ARROW,
        "TIMESTAMP": (TIMESTAMP_ARROW,),
        "DATE": (pa.date32(),),
        "TIME": (pa.time64("us"),),
    }
    return fixed.get(bq_type, ())


def bigquery_table(batch: pa.Table, columns: Sequence[FileColumn]) -> pa.Table:
    arrays = [
        pa.nulls(batch.num_rows, _null_type(c.bq_type)) if c.source is None else _converted(batch.column(c.source), c)
        for c in columns
    ]
    return pa.table(arrays, names=[c.name for c in columns])


def _converted(values: pa.ChunkedArray, column: FileColumn) -> pa.ChunkedArray | pa.Array:
    kind, prop = column.bq_type, column.source
    assert prop is not None
    if kind in _PLAIN_TYPES:
        return values.cast(_PLAIN_TYPES[kind])
    if kind == "NUMERIC":
        # The core widens a column to BIGNUMERIC for values that need it, so
        # a value NUMERIC refuses here fits no decimal type.
        converted = _try_cast(values, NUMERIC_ARROW)
        if converted is None:
            raise _bad_decimal(values, prop, "NUMERIC or BIGNUMERIC")
        return converted
    if kind == BIGNUMERIC:
        for arrow_type in BIGNUMERIC_ARROW:
            converted = _try_cast(values, arrow_type)
            if converted is not None:
                return converted
        raise _bad_decimal(values, prop, "BIGNUMERIC (38 digits before and 38 after the point)")
    if kind == "TIMESTAMP":
        return _try_cast(values, TIMESTAMP_ARROW) or _parsed(values, prop, _timestamp, TIMESTAMP_ARROW, "a date-time")
    if kind == "DATE":
        return _try_cast(values, pa.date32()) or _parsed(values, prop, _date, pa.date32(), "a date")
    if kind == "TIME":
        return _parsed(values, prop, time.fromisoformat, pa.time64("us"), "a time of day")
    if kind == "JSON":
        return values.cast(pa.string()).cast(pa.json_())
    # A type this target never creates (GEOGRAPHY, BYTES, ...) in a table made
    # by someone else: BigQuery converts the text or rejects it by itself.
    return values.cast(pa.string())


def _try_cast(values: pa.ChunkedArray, arrow_type: pa.DataType) -> pa.ChunkedArray | None:
    try:
        return values.cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _bad_decimal(values: pa.ChunkedArray, prop: str, what: str) -> LoadError:
    """Name the first value no exact type holds (1e400, ...; NaN and Infinity
    arrive as NULL already, since the loader declares that NUMERIC holds neither)."""
    widest = BIGNUMERIC_ARROW[-1]
    for row, value in enumerate(values.to_pylist()):
        if value is not None and _try_cast(pa.chunked_array([[str(value)]]), widest) is None:
            return LoadError(
                f"column {prop!r}: {str(value)[:60]} does not fit {what} exactly; "
                "set number_as_float to store such numbers as FLOAT64",
                row,
            )
    return LoadError(f"column {prop!r}: values do not fit {what}")


def _parsed(
    values: pa.ChunkedArray, prop: str, parse: Callable[[str], Any], arrow_type: pa.DataType, what: str
) -> pa.Array:
    out: list[Any] = []
    for row, text in enumerate(values.to_pylist()):
        try:
            out.append(None if text is None else parse(text))
        except ValueError:
            raise LoadError(f"column {prop!r}: {text[:60]!r} is not {what}", row) from None
    return pa.array(out, arrow_type)


def _timestamp(text: str) -> datetime:
    """ISO 8601 in the spellings taps use; no offset means UTC, as Singer says."""
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _date(text: str) -> date:
    """A date, or the date of a date-time (as PostgreSQL reads one into a date)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text).date()


def _null_type(bq_type: str) -> pa.DataType:
    fixed = {
        "NUMERIC": NUMERIC_ARROW,
        BIGNUMERIC: BIGNUMERIC_ARROW[0],
        "TIMESTAMP": TIMESTAMP_ARROW,
        "DATE": pa.date32(),
        "TIME": pa.time64("us"),
        "JSON": pa.json_(),
    }
    return _PLAIN_TYPES.get(bq_type) or fixed.get(bq_type, pa.string())
