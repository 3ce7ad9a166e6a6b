"""The shared target core without a database: framing, types, STATE ledger, dedupe."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.dedupe import last_per_key
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.logical_types import join, logical_type
from singer_lite_core.target_driver.messages import ControlMessage, RecordLines, read_messages
from singer_lite_core.target_driver.state_ledger import StateLedger


def framed(text: bytes, monkeypatch: pytest.MonkeyPatch, read_size: int) -> list[object]:
    monkeypatch.setattr("singer_lite_core.target_driver.messages.READ_SIZE", read_size)
    return list(read_messages(io.BytesIO(text)))


@pytest.mark.parametrize("read_size", [7, 64, 1 << 20])
def test_framing_keeps_order_and_line_numbers_across_chunk_edges(
    monkeypatch: pytest.MonkeyPatch, read_size: int
) -> None:
    text = (
        b'{"type":"SCHEMA","stream":"a","schema":{"properties":{}},"key_properties":[]}\n'
        b'{"type":"RECORD","stream":"a","record":{"x":1}}\n'
        b'{"type": "RECORD", "stream": "a", "record": {"x": 2}}\n'
        b"\n"
        b'{"record":{"x":3},"stream":"b","type":"RECORD"}\n'
        b'{"type":"STATE","value":{"n":1}}\n'
        b'{"type":"RECORD","stream":"a","record":{"x":4}}'
    )
    messages = framed(text, monkeypatch, read_size)
    records = [(m.stream, m.first_line + i) for m in messages if isinstance(m, RecordLines) for i in range(m.count)]
    assert records == [("a", 2), ("a", 3), ("b", 5), ("a", 7)]
    controls = [(m.type, m.line) for m in messages if isinstance(m, ControlMessage)]
    assert controls == [("SCHEMA", 1), ("STATE", 6)]
    order = [m.first_line if isinstance(m, RecordLines) else m.line for m in messages]
    assert order == sorted(order)


def test_framing_rejects_bad_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="line 2: STATE message has no value"):
        framed(b'{"type":"STATE","value":1}\n{"type":"STATE"}\n', monkeypatch, 1 << 20)
    with pytest.raises(InputError, match="line 1: malformed JSON"):
        framed(b'{"type":"STATE",\n', monkeypatch, 1 << 20)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer"}, L.INTEGER),
        ({"type": "integer", "minimum": -(2**70)}, L.DECIMAL),
        ({"type": ["null", "number"]}, L.DECIMAL),
        ({"type": ["integer", "number"]}, L.DECIMAL),
        ({"type": "string", "format": "date-time"}, L.TIMESTAMP),
        ({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}, L.TIMESTAMP),
        ({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string"}]}, L.STRING),
        ({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}, L.STRING),
        ({"type": ["boolean", "integer"]}, L.JSON),
        ({"type": ["string", "integer"]}, L.STRING),
        ({"type": ["object", "string"]}, L.JSON),
        ({"type": "array"}, L.JSON),
        ({}, L.JSON),
    ],
)
def test_logical_types(schema: dict, expected: L) -> None:
    assert logical_type(schema) == expected


def test_number_as_float_and_join_is_symmetric() -> None:
    assert logical_type({"type": "number"}, number_as_float=True) == L.FLOAT
    for a in L:
        for b in L:
            assert join(a, b) == join(b, a)
            assert join(a, join(a, b)) == join(a, b)


def test_ledger_releases_only_the_newest_state_whose_records_are_committed() -> None:
    out: list[object] = []
    ledger = StateLedger(out.append)
    ledger.received("a", 2)
    ledger.state(1)
    ledger.received("b", 1)
    ledger.state(2)
    ledger.committed("b", 1)
    assert out == []
    ledger.committed("a", 2)
    assert out == [2]
    ledger.state(2)
    assert out == [2]
    ledger.state(3)
    assert out == [2, 3]


def test_last_per_key_keeps_last_occurrence_in_input_order() -> None:
    table = pa.table({"k": [1, 2, 1, 3, 2], "v": ["a", "b", "c", "d", "e"]})
    kept, lines = last_per_key(table, np.arange(10, 15), ["k"])
    assert kept.to_pydict() == {"k": [1, 3, 2], "v": ["c", "d", "e"]}
    assert lines.tolist() == [12, 13, 14]
