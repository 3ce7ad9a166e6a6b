"""Where the input ends: a last line without its newline is fine when it is a
whole message and reported when it was cut (its writer died mid-line), after
every whole line before it; a malformed line followed by more input is no cut.
Lines come out whole however the reads of a real pipe split them."""

from __future__ import annotations

import io
import os
import random
import threading

import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.messages import ControlMessage, Message, RecordLines, TruncatedInput, read_messages
from tests.support.singer_text import lines, record, schema_message, state

SCHEMA = lines(schema_message("a", {"x": {"type": "integer"}}))
CUT = " the input ends in the middle of this line: the tap was likely killed while writing it"


def spelled(messages: list[Message]) -> list[tuple[str, int]]:
    """(kind, input line) of every message, a RECORD run giving one entry per record."""
    out: list[tuple[str, int]] = []
    for m in messages:
        if isinstance(m, RecordLines):
            out += [("RECORD", m.first_line + i) for i in range(m.count)]
        else:
            out.append((m.type, m.line))
    return out


def read_until_end(source: io.BufferedIOBase | io.BytesIO) -> tuple[list[Message], InputError | None]:
    """Every message framed, and the error the input ended in, if any."""
    messages: list[Message] = []
    try:
        for message in read_messages(source):  # type: ignore[arg-type]
            messages.append(message)
    except InputError as error:
        return messages, error
    return messages, None


@pytest.fixture(params=[5, 64, 1 << 20], ids=["5-byte-reads", "64-byte-reads", "one-read"])
def read_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("singer_lite_core.target_driver.messages.READ_SIZE", request.param)
    return int(request.param)


def test_a_whole_last_line_may_lack_its_newline(read_size: int) -> None:
    text = SCHEMA + lines(record("a", {"x": 1})) + '{"type": "STATE", "value": 1}'
    messages, error = read_until_end(io.BytesIO(text.encode()))
    assert error is None
    assert spelled(messages) == [("SCHEMA", 1), ("RECORD", 2), ("STATE", 3)]


def test_a_cut_last_line_is_reported_after_every_whole_line(read_size: int) -> None:
    text = SCHEMA + lines(record("a", {"x": 1}), record("a", {"x": 2}), state(2)) + lines(record("a", {"x": 3}))[:50]
    messages, error = read_until_end(io.BytesIO(text.encode()))
    assert isinstance(error, TruncatedInput)
    assert str(error) == "stream 'a': line 5:" + CUT
    assert spelled(messages) == [("SCHEMA", 1), ("RECORD", 2), ("RECORD", 3), ("STATE", 4)]


def test_a_line_cut_before_its_stream_name_names_the_line() -> None:
    messages, error = read_until_end(io.BytesIO((SCHEMA + '{"type": "REC').encode()))
    assert isinstance(error, TruncatedInput)
    assert str(error) == "line 2:" + CUT
    assert spelled(messages) == [("SCHEMA", 1)]


def test_a_malformed_line_before_more_input_is_an_error_not_a_cut() -> None:
    """(A malformed RECORD line is framed as one and fails when its batch is decoded: test_runner_stops.)"""
    text = SCHEMA + '{"type": "STATE", "val\n' + lines(record("a", {"x": 1}))
    _, error = read_until_end(io.BytesIO(text.encode()))
    assert error is not None
    assert not isinstance(error, TruncatedInput)
    assert str(error).startswith("line 2: malformed JSON")


def singer_text(records: int) -> str:
    """A SCHEMA, then records with a STATE every 50, and one record longer than several reads."""
    body = [record("a", {"x": n, "pad": "p" * (n % 97)}) for n in range(records)]
    body.insert(records // 2, record("a", {"x": -1, "pad": "long" * 200}))
    for at in range(50, len(body), 51):
        body.insert(at, state(at))
    return SCHEMA + lines(*body)


def through_a_pipe(data: bytes, seed: int) -> tuple[list[Message], InputError | None]:
    """Frame `data` as a writer sends it through a real pipe, in pieces of random sizes, then closes it."""
    read_end, write_end = os.pipe()
    pieces = random.Random(seed)

    def write() -> None:
        with os.fdopen(write_end, "wb", buffering=0) as out:
            at = 0
            while at < len(data):
                size = pieces.randint(1, 300)
                out.write(data[at : at + size])
                at += size

    writer = threading.Thread(target=write)
    writer.start()
    with os.fdopen(read_end, "rb") as source:
        framed = read_until_end(source)
    writer.join()
    return framed


@pytest.mark.parametrize("seed", [1, 2])
def test_lines_are_whole_across_the_reads_of_a_pipe(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    monkeypatch.setattr("singer_lite_core.target_driver.messages.READ_SIZE", 256)
    data = singer_text(500).encode()
    expected, _ = read_until_end(io.BytesIO(data))
    messages, error = through_a_pipe(data, seed)
    assert error is None
    assert spelled(messages) == spelled(expected)
    assert b"".join(m.data for m in messages if isinstance(m, RecordLines)) == b"".join(
        m.data for m in expected if isinstance(m, RecordLines)
    )
    assert [m.body for m in messages if isinstance(m, ControlMessage)] == [
        m.body for m in expected if isinstance(m, ControlMessage)
    ]

    cut_at = len(data) - 20  # inside the last record
    messages, error = through_a_pipe(data[:cut_at], seed)
    assert isinstance(error, TruncatedInput)
    assert spelled(messages) == spelled(expected)[:-1]
