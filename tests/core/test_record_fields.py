"""Record fields the SCHEMA does not declare, in process: the type a new column
gets from its values, what the decoder asks for under each undeclared_fields
setting, and the runner widening a column from nothing through the loader's
prepare, the one widening mechanism."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.arrow_decode import DecodedRecords, RecordDecoder
from singer_lite_core.target_driver.batching import Segment
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.logical_types import WiderTypeNeeded, value_type, values_type
from singer_lite_core.target_driver.messages import RecordLines
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from singer_lite_core.target_driver.target_settings import UndeclaredFields
from tests.core.loader_doubles import FIXED_POINT, MemoryLoader, run
from tests.support.singer_text import lines, record, schema_message


@pytest.mark.parametrize(
    ("values", "number_as_float", "expected"),
    [
        ([1, 2, None], False, L.INTEGER),
        ([1, 2**64], False, L.DECIMAL),
        ([1.5, Decimal("0.10000000000000001")], False, L.DECIMAL),
        ([1.5], True, L.FLOAT),
        ([1, 2.5], False, L.DECIMAL),
        ([1, 2.5], True, L.DECIMAL),
        (["a", None], False, L.STRING),
        ([True, False], False, L.BOOLEAN),
        ([{"a": 1}], False, L.JSON),
        ([[1, 2]], False, L.JSON),
        ([1, "1"], False, L.JSON),
        ([True, 1], False, L.JSON),
        (["a", {"a": 1}], False, L.JSON),
        ([None, None], False, L.STRING),
    ],
)
def test_a_column_for_values_takes_their_type_or_json_when_they_disagree(
    values: list[Any], number_as_float: bool, expected: L
) -> None:
    kinds = [kind for value in values if (kind := value_type(value, number_as_float)) is not None]
    assert values_type(kinds) == expected


FIRST_LINE = 2
FLAT: dict[str, Any] = {"id": {}, "name": {}}


def stream(json_schema: dict[str, Any] | None = None, added: dict[str, L] | None = None) -> StreamSchema:
    columns = (Column("id", L.INTEGER), Column("name", L.STRING))
    schema = StreamSchema("s", columns, (), json_schema or {"type": "object", "properties": FLAT})
    return schema.with_record_fields([Column(name, kind) for name, kind in (added or {}).items()])


def decode(schema: StreamSchema, *records: str, undeclared: UndeclaredFields = UndeclaredFields.ADD_COLUMN) -> Any:
    data = b"".join(b'{"type":"RECORD","stream":"s","record":%s}\n' % r.encode() for r in records)
    segment = Segment(RecordLines("s", FIRST_LINE, data, len(records)), datetime.now(UTC))
    decoder = RecordDecoder(schema, False, 0, FIXED_POINT, undeclared=undeclared)
    return decoder.decode([segment], datetime.now(UTC))


def needs(schema: StreamSchema, *records: str) -> dict[str, L]:
    with pytest.raises(WiderTypeNeeded) as raised:
        decode(schema, *records)
    return raised.value.needs


def test_new_fields_ask_for_columns_typed_from_every_value_in_the_block() -> None:
    asked = needs(stream(), '{"id": 1, "n": 1}', '{"id": 2, "o": {"a": 1}, "n": 2, "z": null}', '{"id": 3, "m": 1}')
    assert asked == {"n": L.INTEGER, "o": L.JSON, "z": L.STRING, "m": L.INTEGER}
    assert list(asked) == ["n", "o", "z", "m"], "columns come in the order the fields first appear"


def test_additional_properties_true_is_the_same_as_none() -> None:
    json_schema = {"type": "object", "properties": FLAT, "additionalProperties": True}
    assert needs(stream(json_schema), '{"id": 1, "n": true}') == {"n": L.BOOLEAN}


def test_a_column_typed_from_values_widens_for_a_value_of_another_type() -> None:
    schema = stream(added={"n": L.INTEGER, "s": L.STRING})
    assert needs(schema, '{"id": 1, "n": 1.5}') == {"n": L.DECIMAL}
    assert needs(schema, '{"id": 1, "n": "one"}') == {"n": L.JSON}
    assert needs(schema, '{"id": 1, "s": 5}') == {"s": L.JSON}
    decoded = decode(schema, '{"id": 1, "n": 7, "s": "x"}', '{"id": 2}')
    assert decoded.table.select(["n", "s"]).to_pylist() == [{"n": 7, "s": "x"}, {"n": None, "s": None}]


def test_a_declared_column_still_refuses_a_value_of_another_type() -> None:
    with pytest.raises(InputError) as raised:
        decode(stream(), '{"id": "one"}')
    assert str(raised.value) == "stream 's': line 2: column 'id': expected an integer, got \"one\""


def test_additional_properties_as_a_schema_types_new_columns_and_holds_them_to_it() -> None:
    json_schema = {"type": "object", "properties": FLAT, "additionalProperties": {"type": "string", "format": "date"}}
    assert needs(stream(json_schema), '{"id": 1, "day": "2021-01-02"}') == {"day": L.DATE}
    with pytest.raises(InputError) as raised:
        decode(stream(json_schema, added={"day": L.DATE}), '{"id": 1, "day": 5}')
    assert str(raised.value) == "stream 's': line 2: column 'day': expected a string, got 5"


def test_drop_decodes_without_the_field_and_counts_its_values() -> None:
    decoded: DecodedRecords = decode(
        stream(), '{"id": 1, "x": 1}', '{"id": 2, "x": null}', '{"id": 3, "x": [1]}', undeclared=UndeclaredFields.DROP
    )
    assert decoded.table.column_names == ["id", "name"]
    assert decoded.dropped == {"x": 2}


def test_fail_names_the_line_and_field() -> None:
    with pytest.raises(InputError) as raised:
        decode(stream(), '{"id": 1}', '{"id": 2, "x": 1}', undeclared=UndeclaredFields.FAIL)
    assert str(raised.value).startswith("stream 's': line 3: field 'x' is not declared in the stream's SCHEMA; ")


@pytest.mark.parametrize("undeclared", list(UndeclaredFields))
def test_additional_properties_false_refuses_whatever_the_setting(undeclared: UndeclaredFields) -> None:
    closed = stream({"type": "object", "properties": FLAT, "additionalProperties": False})
    with pytest.raises(InputError) as raised:
        decode(closed, '{"id": 1, "x": null}', undeclared=undeclared)
    assert str(raised.value) == (
        "stream 's': line 2: field 'x' is not declared in the stream's SCHEMA, whose additionalProperties is false"
    )


def test_a_field_named_like_a_metadata_column_keeps_the_records_value() -> None:
    """Without add_record_metadata the target fills no _sdc column, so a record
    field of that name is a field like any other."""
    schema = stream(added={"_sdc_sequence": L.STRING})
    decoded = decode(schema, '{"id": 1, "_sdc_sequence": "from the tap"}')
    assert decoded.table.column("_sdc_sequence").to_pylist() == ["from the tap"]


def test_the_runner_widens_a_column_from_nothing_and_keeps_it_across_schemas(caplog: pytest.LogCaptureFixture) -> None:
    loader = MemoryLoader()
    schema = schema_message("s", {"id": {"type": "integer"}}, ["id"])
    later = schema_message("s", {"id": {"type": "integer"}, "note": {"type": "string"}}, ["id"])
    with caplog.at_level(logging.WARNING):
        run(
            loader,
            lines(
                schema,
                record("s", {"id": 1}),
                record("s", {"id": 2, "n": 5}),
                later,
                record("s", {"id": 3, "n": 6, "note": "x"}),
            ),
        )
    assert [[c.name for c in prepared.columns] for prepared in loader.prepared] == [
        ["id"],
        ["id", "n"],
        ["id", "note", "n"],
    ]
    assert loader.tables["s"] == {"id": L.INTEGER, "n": L.INTEGER, "note": L.STRING}
    assert [batch.table.to_pylist() for batch in loader.batches] == [
        [{"id": 1, "n": None}, {"id": 2, "n": 5}],
        [{"id": 3, "note": "x", "n": 6}],
    ]
    assert [r.getMessage() for r in caplog.records if "'n'" in r.getMessage()] == [
        "stream 's': field 'n' is not declared in the stream's SCHEMA; added a column of type integer for it "
        "(undeclared_fields is add-column)"
    ]
