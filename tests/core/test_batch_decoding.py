"""Decoding BATCH files' rows to the same representation RECORD lines decode
to: jsonl lines as record bodies; parquet pieces, for each kind of database,
with exact numbers, UTC text for date-times, the widening a value asks for;
and errors naming file and row."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.arrow_decode import RecordDecoder
from singer_lite_core.target_driver.batching import Segment
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.logical_types import WiderTypeNeeded
from singer_lite_core.target_driver.messages import BatchFile, RecordLines
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from singer_lite_core.target_driver.target_settings import UndeclaredFields
from tests.core.loader_doubles import ANY_PRECISION_TYPED, FIXED_POINT

FILE = BatchFile("s", "file:///batches/orders-1.parquet", 4, 0)
AT = f"stream 's': line 4: {FILE.uri}"


def stream(keys: tuple[str, ...] = (), additional: Any = True, **types: L) -> StreamSchema:
    columns = tuple(Column(name, kind) for name, kind in types.items())
    properties: dict[str, Any] = {name: {} for name in types}
    return StreamSchema(
        "s", columns, keys, {"type": "object", "properties": properties, "additionalProperties": additional}
    )


def decoded(
    schema: StreamSchema,
    table: pa.Table,
    capabilities: LoaderCapabilities = FIXED_POINT,
    first_row: int = 1,
    **options: Any,
) -> pa.Table:
    decoder = RecordDecoder(schema, False, 0, capabilities, **options)
    now = datetime.now(UTC)
    return decoder.decode_parquet(table, FILE, first_row, now, now).table


def test_date_times_become_utc_text_naive_ones_taken_as_utc() -> None:
    table = pa.table(
        {
            "zoned": pa.array([1_700_000_000_123_456, None], pa.timestamp("us", "America/New_York")),
            "naive": pa.array([0, 1_000], pa.timestamp("s")),
            "day": pa.array([19_000, None], pa.date32()),
            "clock": pa.array([3_600_000_001, None], pa.time64("us")),
        }
    )
    out = decoded(stream(zoned=L.TIMESTAMP, naive=L.TIMESTAMP, day=L.DATE, clock=L.TIME), table)
    assert out.to_pylist() == [
        {"zoned": "2023-11-14 22:13:20.123456+00:00", "naive": "1970-01-01 00:00:00+00:00", "day": "2022-01-08",
         "clock": "01:00:00.000001"},
        {"zoned": None, "naive": "1970-01-01 00:16:40+00:00", "day": None, "clock": None},
    ]  # fmt: skip


def test_decimals_stay_exact_for_each_kind_of_database() -> None:
    values = pa.array([Decimal("12345678901234.123456789"), Decimal("-0.5"), None], pa.decimal128(38, 10))
    fixed = decoded(stream(m=L.DECIMAL), pa.table({"m": values}))
    assert fixed.schema.field("m").type == pa.decimal128(38, 9)
    assert fixed.column("m").to_pylist() == [Decimal("12345678901234.123456789"), Decimal("-0.5"), None]
    # A database that keeps any number of digits keeps the narrowest scale.
    anywhere = decoded(stream(m=L.DECIMAL), pa.table({"m": values}), ANY_PRECISION_TYPED)
    assert anywhere.column("m").to_pylist() == [Decimal("12345678901234.123456789"), Decimal("-0.5"), None]


def test_doubles_in_a_decimal_column_are_the_shortest_text_and_non_finite_ones_null() -> None:
    table = pa.table({"m": pa.array([0.1, 7.08, math.nan, math.inf, None])})
    out = decoded(stream(m=L.DECIMAL), table)
    assert out.column("m").to_pylist() == [Decimal("0.1"), Decimal("7.08"), None, None, None]
    # A database of any precision gets the exact decimals RECORD lines of the same numbers decode to.
    anywhere = decoded(stream(m=L.DECIMAL), pa.table({"m": [0.1, 7.08, None]}), ANY_PRECISION_TYPED)
    assert anywhere.schema.field("m").type == pa.decimal128(31, 2)
    assert anywhere.column("m").to_pylist() == [Decimal("0.10"), Decimal("7.08"), None]


def test_a_decimal_too_wide_for_numeric_widens_the_column() -> None:
    table = pa.table({"m": pa.array([Decimal("1" * 30 + ".5")], pa.decimal128(38, 1))})
    with pytest.raises(WiderTypeNeeded) as need:
        decoded(stream(m=L.DECIMAL), table)
    assert need.value.needs == {"m": L.WIDE_DECIMAL}


def test_an_integer_past_64_bits_widens_to_decimal() -> None:
    table = pa.table({"n": pa.array([2**64 - 1], pa.uint64())})
    with pytest.raises(WiderTypeNeeded) as need:
        decoded(stream(n=L.INTEGER), table)
    assert need.value.needs == {"n": L.DECIMAL}


def test_whole_doubles_fit_an_integer_column_a_fraction_is_named_by_file_row() -> None:
    assert decoded(stream(n=L.INTEGER), pa.table({"n": [1.0, 2.0]})).column("n").to_pylist() == [1, 2]
    with pytest.raises(InputError) as error:
        decoded(stream(n=L.INTEGER), pa.table({"n": [1.0, 2.5]}), first_row=11)
    assert str(error.value) == f"{AT} row 12: column 'n': expected an integer, got 2.5"


def test_text_in_a_boolean_column_is_named_by_file_row() -> None:
    with pytest.raises(InputError) as error:
        decoded(stream(b=L.BOOLEAN), pa.table({"b": [None, "yes"]}))
    assert str(error.value) == f"{AT} row 2: column 'b': expected true or false, got \"yes\""


def test_nested_values_become_json_text_and_scalars_string_text() -> None:
    table = pa.table(
        {"j": pa.array([{"a": 1}, None]), "s": pa.array([True, None]), "n": pa.array([3, 4]), "o": [[1], None]}
    )
    out = decoded(stream(j=L.JSON, s=L.STRING, n=L.STRING, o=L.STRING), table)
    assert out.to_pylist() == [
        {"j": '{"a":1}', "s": "true", "n": "3", "o": "[1]"},
        {"j": None, "s": None, "n": "4", "o": None},
    ]


def test_nul_is_removed_from_text_and_missing_columns_are_null() -> None:
    out = decoded(stream(s=L.STRING, absent=L.INTEGER), pa.table({"s": ["a\x00b"]}))
    assert out.to_pylist() == [{"s": "ab", "absent": None}]


def test_a_missing_key_is_named_by_file_row() -> None:
    with pytest.raises(InputError) as error:
        decoded(stream(("id",), id=L.INTEGER), pa.table({"id": [1, None]}), first_row=5)
    assert str(error.value) == f"{AT} row 6: record has no value for key property 'id'"


@pytest.mark.parametrize(
    ("policy", "additional", "expected"),
    [
        (UndeclaredFields.ADD_COLUMN, True, "needs"),
        (UndeclaredFields.DROP, True, "dropped"),
        (UndeclaredFields.FAIL, True, "field 'extra' is not declared in the stream's SCHEMA; send a SCHEMA"),
        (UndeclaredFields.ADD_COLUMN, False, "field 'extra' is not declared in the stream's SCHEMA, whose"),
    ],
)
def test_undeclared_columns_follow_the_setting(policy: UndeclaredFields, additional: bool, expected: str) -> None:
    table = pa.table({"id": [1, 2], "extra": pa.array([None, 2.5])})
    schema = stream(additional=additional, id=L.INTEGER)
    decoder = RecordDecoder(schema, False, 0, FIXED_POINT, undeclared=policy)
    now = datetime.now(UTC)
    if expected == "needs":
        with pytest.raises(WiderTypeNeeded) as need:
            decoder.decode_parquet(table, FILE, 1, now, now)
        assert need.value.needs == {"extra": L.DECIMAL}
    elif expected == "dropped":
        result = decoder.decode_parquet(table, FILE, 1, now, now)
        assert result.dropped == {"extra": 1}
        assert result.table.column_names == ["id"]
    else:
        with pytest.raises(InputError) as error:
            decoder.decode_parquet(table, FILE, 1, now, now)
        assert str(error.value).startswith(f"{AT} row 2: {expected}")


def test_validation_reads_the_files_fields_and_names_the_row() -> None:
    schema = StreamSchema(
        "s",
        (Column("n", L.INTEGER), Column("j", L.JSON)),
        (),
        {"type": "object", "properties": {"n": {"type": "integer", "maximum": 5}, "j": {"type": "object"}}},
    )
    decoder = RecordDecoder(schema, True, 0, FIXED_POINT)
    now = datetime.now(UTC)
    ok = pa.table({"n": [1, 2], "j": pa.array([{"a": 1}, {"a": 2}])})
    assert decoder.decode_parquet(ok, FILE, 1, now, now).table.num_rows == 2
    with pytest.raises(InputError) as error:
        decoder.decode_parquet(pa.table({"n": [1, 9]}), FILE, 1, now, now)
    assert str(error.value).startswith(f"{AT} row 2: record does not match its schema at n: 9 is greater than")


def test_a_batch_version_is_every_rows_table_version() -> None:
    versioned = BatchFile("s", FILE.uri, 4, 0, version=1700)
    decoder = RecordDecoder(stream(id=L.INTEGER), False, 0, FIXED_POINT)
    now = datetime.now(UTC)
    assert decoder.decode_parquet(pa.table({"id": [1, 2]}), versioned, 1, now, now).versions.to_pylist() == [1700] * 2
    assert decoder.decode_parquet(pa.table({"id": [1]}), FILE, 1, now, now).versions.to_pylist() == [None]
    body = Segment(RecordLines("s", 1, b'{"id": 1}\n{"id": 2}\n', 2, file=versioned), now)
    assert decoder.decode([body], now).versions.to_pylist() == [1700] * 2


@pytest.mark.parametrize("line", [b'{"id": 1}\n{"id": "x"}\n', b'{"id": 1}\n[2]\n'])
def test_jsonl_rows_are_record_bodies_and_errors_name_the_file_row(line: bytes) -> None:
    decoder = RecordDecoder(stream(id=L.INTEGER), False, 0, FIXED_POINT)
    now = datetime.now(UTC)
    body = Segment(RecordLines("s", 10, line, 2, file=FILE), now)
    with pytest.raises(InputError) as error:
        decoder.decode([body], now)
    assert str(error.value).startswith(f"{AT} row 11: ")
    good = Segment(RecordLines("s", 10, b'{"id": 1}\n{"id": 2}\n', 2, file=FILE), now)
    records = Segment(RecordLines("s", 3, b'{"type": "RECORD", "stream": "s", "record": {"id": 3}}\n', 1), now)
    assert decoder.decode([good], now).table.column("id").to_pylist() == [1, 2]
    assert decoder.decode([records], now).table.column("id").to_pylist() == [3]
