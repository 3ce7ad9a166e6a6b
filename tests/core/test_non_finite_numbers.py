"""NaN and Infinity in number columns, as the loader's capabilities decide: kept
where the database's decimal type holds them, NULL and counted where it does
not, and told as one warning per stream and column at the end of the run."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from singer_lite_core.target_driver.arrow_decode import DecodedRecords, RecordDecoder
from singer_lite_core.target_driver.batching import Segment
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.decimal_columns import ANY_PRECISION_READ_TYPE, DecimalColumns
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.messages import RecordLines
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from tests.core.loader_doubles import ANY_PRECISION_TEXT, FIXED_POINT, MemoryLoader, run
from tests.support.singer_text import lines, raw_record, schema_message, state

# Text and doubles into a decimal type of any precision that holds no NaN.
ANY_PRECISION_FINITE = replace(ANY_PRECISION_TEXT, decimal_holds_nan_and_infinity=False)
NON_FINITE = ('{"x": NaN}', '{"x": 1.5}', '{"x": Infinity}', '{"x": -Infinity}', '{"x": "NaN"}', '{"x": null}')


def decoded(capabilities: LoaderCapabilities, kind: L, *records: str) -> DecodedRecords:
    schema = StreamSchema("s", (Column("x", kind),), (), {"type": "object", "properties": {"x": {}}})
    data = b"".join(b'{"type":"RECORD","stream":"s","record":%s}\n' % r.encode() for r in records)
    segment = Segment(RecordLines("s", 2, data, len(records)), datetime.now(UTC))
    return RecordDecoder(schema, False, 0, capabilities).decode([segment], datetime.now(UTC))


@pytest.mark.parametrize("kind", [L.DECIMAL, L.WIDE_DECIMAL])
def test_a_fixed_point_decimal_gets_null_for_them_and_counts_them(kind: L) -> None:
    result = decoded(FIXED_POINT, kind, *NON_FINITE)
    assert pa.types.is_decimal(result.table.schema.field("x").type)
    assert result.table.column("x").to_pylist() == [None, 1.5, None, None, None, None]
    assert result.nulled == {"x": 4}


def test_a_decimal_of_any_precision_that_holds_them_keeps_them_as_text() -> None:
    result = decoded(ANY_PRECISION_TEXT, L.DECIMAL, *NON_FINITE)
    assert result.table.column("x").to_pylist() == ["NaN", "1.5", "Infinity", "-Infinity", "NaN", None]
    assert result.nulled == {}


def test_a_decimal_of_any_precision_that_holds_none_reads_decimals_not_doubles() -> None:
    """The reader would take NaN as a double without a word, so such a database
    gets decimals read, and a block with NaN goes to the per-record path."""
    assert DecimalColumns(ANY_PRECISION_FINITE).read_type(L.DECIMAL, False) == ANY_PRECISION_READ_TYPE
    result = decoded(ANY_PRECISION_FINITE, L.DECIMAL, *NON_FINITE)
    assert result.table.column("x").to_pylist() == [None, "1.5", None, None, None, None]
    assert result.nulled == {"x": 4}


def test_doubles_keep_them_whatever_the_decimal_type() -> None:
    result = decoded(FIXED_POINT, L.FLOAT, '{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}')
    assert [str(v) for v in result.table.column("x").to_pylist()] == ["nan", "inf", "-inf"]
    assert result.nulled == {}


def test_the_run_warns_once_per_stream_and_column_with_the_count(caplog: pytest.LogCaptureFixture) -> None:
    loader = MemoryLoader()
    text = lines(schema_message("s", {"x": {"type": "number"}, "y": {"type": ["number", "null"]}}))
    # A STATE after each record ends its run of lines, so each is a batch of its own.
    for record in ('{"x": NaN}', '{"x": 1}', '{"x": Infinity, "y": NaN}'):
        text += raw_record("s", record) + lines(state(1))
    with caplog.at_level(logging.WARNING):
        run(loader, text, batch_size_rows=1)
    assert [b.table.to_pylist() for b in loader.batches] == [
        [{"x": None, "y": None}],
        [{"x": 1, "y": None}],
        [{"x": None, "y": None}],
    ]
    assert [r.getMessage() for r in caplog.records] == [
        f"stream 's': column '{column}': {count} NaN or infinite values were loaded as NULL, as the database's "
        "decimal type holds no such number; set number_as_float to keep them"
        for column, count in (("x", 2), ("y", 1))
    ]
