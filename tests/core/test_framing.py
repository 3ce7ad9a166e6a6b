"""Framing Singer input: order and line numbers, refusals, and the long-digit test."""

from __future__ import annotations

import io
import math
from decimal import Decimal

import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.json_values import has_long_digit_run, loads
from singer_lite_core.target_driver.messages import ControlMessage, Message, RecordLines, read_messages


def framed(text: bytes, monkeypatch: pytest.MonkeyPatch, read_size: int) -> list[Message]:
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


def test_a_chunk_goes_whole_only_when_every_line_is_a_record_of_its_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [b'{"type":"RECORD","stream":"trips","record":{"x":%d}}\n' % i for i in range(6)]
    whole = framed(b"".join(lines), monkeypatch, 1 << 20)
    assert [(m.stream, m.first_line, m.count) for m in whole if isinstance(m, RecordLines)] == [("trips", 1, 6)]
    # One letter of one stream name differs, and a blank line shorter than the common start ends the chunk.
    lines[3] = b'{"type":"RECORD","stream":"tripz","record":{"x":3}}\n'
    split = framed(b"".join(lines) + b"\n", monkeypatch, 1 << 20)
    runs = [(m.stream, m.first_line, m.count) for m in split if isinstance(m, RecordLines)]
    assert runs == [("trips", 1, 3), ("tripz", 4, 1), ("trips", 5, 2)]


def test_framing_rejects_bad_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="line 2: STATE message has no value"):
        framed(b'{"type":"STATE","value":1}\n{"type":"STATE"}\n', monkeypatch, 1 << 20)
    with pytest.raises(InputError, match="line 1: malformed JSON"):
        framed(b'{"type":"STATE",\n', monkeypatch, 1 << 20)


def test_an_activate_version_without_an_integer_version_names_stream_and_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(InputError) as raised:
        framed(b'{"type":"STATE","value":1}\n{"type":"ACTIVATE_VERSION","stream":"s","version":"x"}\n', monkeypatch, 64)
    assert str(raised.value) == "stream 's': line 2: ACTIVATE_VERSION needs an integer version"


@pytest.mark.parametrize(
    ("text", "long"),
    [
        (b'{"x": 123456789012345}', False),  # 15 digits
        (b'{"x": 1234567890123456}', True),  # 16 digits
        (b'{"x": 12345678901234.5}', True),  # 15 digits and the point
        (b'{"x": 1.2345678901234e300}', False),  # 14 digits and the point, any exponent
        (b'{"x": 0.0000000000000001}', True),  # one significant digit, but a long run: the exact way
        (b'{"x": ".123456789012345"}', True),  # a run may start with the point
        (b'{"x": "2021-01-01T00:00:00.123456Z"}', False),
    ],
)
def test_a_long_digit_run_is_16_digits_or_points_in_a_row(text: bytes, long: bool) -> None:
    assert has_long_digit_run(text) is long


def test_framed_records_tell_whether_a_number_may_pass_a_double() -> None:
    short = RecordLines("s", 1, b'{"type":"RECORD","stream":"s","record":{"x":2.5}}\n', 1)
    long = RecordLines("s", 1, b'{"type":"RECORD","stream":"s","record":{"x":2.5000000000000001}}\n', 1)
    assert (short.long_digits, long.long_digits) == (False, True)


def test_numbers_past_a_double_are_read_exactly() -> None:
    value = loads(b'{"a": 2.5, "b": 12345678901234567890, "c": 0.10000000000000001, "d": NaN}')
    assert math.isnan(value.pop("d"))
    assert value == {"a": 2.5, "b": 12345678901234567890, "c": Decimal("0.10000000000000001")}
    assert type(value["c"]) is Decimal
