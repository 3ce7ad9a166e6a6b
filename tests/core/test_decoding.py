"""Decoding blocks of RECORD lines to Arrow, for each kind of database the
capabilities describe: doubles, exact decimals of the database's own type,
exact text, and the widening a value asks for."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.arrow_decode import RecordDecoder
from singer_lite_core.target_driver.batching import Segment
from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.logical_types import WiderTypeNeeded
from singer_lite_core.target_driver.messages import RecordLines
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from tests.core.loader_doubles import ANY_PRECISION_TEXT, ANY_PRECISION_TYPED, FIXED_POINT

FIRST_LINE = 2


def stream(keys: tuple[str, ...] = (), **types: L) -> StreamSchema:
    columns = tuple(Column(name, kind) for name, kind in types.items())
    return StreamSchema("s", columns, keys, {"type": "object", "properties": {name: {} for name in types}})


def decoded(capabilities: LoaderCapabilities, schema: StreamSchema, *records: str) -> pa.Table:
    data = b"".join(b'{"type":"RECORD","stream":"s","record":%s}\n' % r.encode() for r in records)
    segment = Segment(RecordLines("s", FIRST_LINE, data, len(records)), datetime.now(UTC))
    return RecordDecoder(schema, False, 0, capabilities).decode([segment], datetime.now(UTC)).table


MONEY = stream(fare=L.DECIMAL, id=L.INTEGER)
SHORT = ('{"fare": 7.08, "id": 1}', '{"fare": 2.5, "id": 2}', '{"fare": null, "id": 3}')
# A 16-digit id is a long digit run: doubles could no longer be trusted for the batch.
LONG = ('{"fare": 7.08, "id": 1234567890123456}', '{"fare": 2.5, "id": 2}')


def test_text_batches_into_any_precision_get_doubles_when_no_number_passes_15_digits() -> None:
    table = decoded(ANY_PRECISION_TEXT, MONEY, *SHORT)
    assert table.schema.field("fare").type == pa.float64()
    assert table.column("fare").to_pylist() == [7.08, 2.5, None]


def test_any_precision_gets_exact_decimals_at_the_narrowest_scale_once_a_number_may_pass_a_double() -> None:
    table = decoded(ANY_PRECISION_TEXT, MONEY, *LONG)
    assert table.schema.field("fare").type == pa.decimal128(31, 2)
    assert table.column("fare").to_pylist() == [Decimal("7.08"), Decimal("2.50")]
    assert table.column("id").to_pylist() == [1234567890123456, 2]


def test_typed_batches_into_any_precision_never_get_doubles() -> None:
    table = decoded(ANY_PRECISION_TYPED, MONEY, *SHORT)
    assert table.schema.field("fare").type == pa.decimal128(31, 2)
    assert table.column("fare").to_pylist() == [Decimal("7.08"), Decimal("2.50"), None]


def test_any_precision_gets_the_exact_text_of_what_no_arrow_decimal_holds() -> None:
    table = decoded(ANY_PRECISION_TEXT, MONEY, '{"fare": 1234567890.12345678901, "id": 1}', '{"fare": NaN, "id": 2}')
    assert table.schema.field("fare").type == pa.string()
    assert table.column("fare").to_pylist() == ["1234567890.12345678901", "NaN"]


def test_a_fixed_point_database_gets_its_own_decimal_type() -> None:
    table = decoded(FIXED_POINT, MONEY, *SHORT)
    assert table.schema.field("fare").type == pa.decimal128(38, 9)
    assert table.column("fare").to_pylist() == [Decimal("7.08"), Decimal("2.5"), None]
    assert decoded(FIXED_POINT, MONEY, *LONG).schema.field("fare").type == pa.decimal128(38, 9)


def test_the_per_record_path_gives_a_fixed_point_database_its_decimal_type_too() -> None:
    """A JSON column sends the block down the per-record path."""
    table = decoded(FIXED_POINT, stream(fare=L.DECIMAL, o=L.JSON), '{"fare": 7.08, "o": {"a": 1}}')
    assert table.schema.field("fare").type == pa.decimal128(38, 9)
    assert table.column("fare").to_pylist() == [Decimal("7.08")]


def test_a_decimal_past_the_fixed_type_asks_for_the_wide_one() -> None:
    with pytest.raises(WiderTypeNeeded) as raised:
        decoded(FIXED_POINT, MONEY, '{"fare": 1.5, "id": 1}', '{"fare": 1.0000000001, "id": 2}')
    assert raised.value.needs == {"fare": L.WIDE_DECIMAL}


def test_a_wide_decimal_column_gets_the_wide_type() -> None:
    table = decoded(
        FIXED_POINT, stream(x=L.WIDE_DECIMAL), '{"x": 1.0000000001}', '{"x": 12345678901234567890123456789012}'
    )
    assert table.schema.field("x").type == pa.decimal256(76, 38)
    assert table.column("x").to_pylist() == [Decimal("1.0000000001"), Decimal("12345678901234567890123456789012")]


def test_a_value_no_decimal_type_holds_stays_text_for_the_loader_to_refuse() -> None:
    """NaN and Infinity are not such values: tests/core/test_non_finite_numbers.py."""
    table = decoded(FIXED_POINT, stream(x=L.DECIMAL), '{"x": 1.5}', '{"x": 1e400}')
    assert table.schema.field("x").type == pa.string()
    assert table.column("x").to_pylist() == ["1.5", "1E+400"]


@pytest.mark.parametrize("capabilities", [ANY_PRECISION_TEXT, FIXED_POINT])
def test_an_integer_past_64_bits_asks_for_a_decimal(capabilities: LoaderCapabilities) -> None:
    with pytest.raises(WiderTypeNeeded) as raised:
        decoded(capabilities, MONEY, '{"fare": 1, "id": 1}', '{"fare": 1, "id": 18446744073709551616}')
    assert raised.value.needs == {"id": L.DECIMAL}


def test_a_bad_value_names_stream_line_and_column() -> None:
    with pytest.raises(InputError) as raised:
        decoded(FIXED_POINT, MONEY, '{"fare": 1, "id": 1}', '{"fare": 1, "id": "seven"}')
    assert str(raised.value) == "stream 's': line 3: column 'id': expected an integer, got \"seven\""


def test_a_record_without_its_key_names_stream_and_line() -> None:
    with pytest.raises(InputError) as raised:
        decoded(FIXED_POINT, stream(("id",), id=L.INTEGER), '{"id": 1}', '{"id": null}')
    assert str(raised.value) == "stream 's': line 3: record has no value for key property 'id'"


def test_nul_characters_leave_text() -> None:
    table = decoded(FIXED_POINT, stream(s=L.STRING), '{"s": "a\\u0000b"}')
    assert table.column("s").to_pylist() == ["ab"]
