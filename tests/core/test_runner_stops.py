"""How a target run ends early, in process: a stop asked by a signal lets the
load in flight finish, starts nothing else and confirms only what committed;
input cut mid-line commits every whole record before the cut, then fails; a
malformed line followed by more input commits nothing of its batch."""

from __future__ import annotations

import io
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.stop_request import Stopped, StopRequest
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.messages import ControlMessage, Message, TruncatedInput, read_messages
from singer_lite_core.target_driver.runner import TargetRunner
from tests.core.loader_doubles import SETTINGS, MemoryLoader
from tests.support.singer_text import lines, record, schema_message, state

PEOPLE = schema_message("people", {"id": {"type": "integer"}}, ["id"])
# Lines: 1 SCHEMA, 2 id 1, 3 STATE 1, 4 id 2, 5 STATE 2, 6 id 3, 7 STATE 3.
THREE_BATCHES = lines(
    PEOPLE, record("people", {"id": 1}), state(1), record("people", {"id": 2}), state(2), record("people", {"id": 3})
) + lines(state(3))


def loaded_ids(loader: MemoryLoader) -> list[int]:
    return [row["id"] for batch in loader.batches for row in batch.table.to_pylist()]


def framed(text: str) -> Iterator[Message]:
    return read_messages(io.BytesIO(text.encode()))


def line_of(message: Message) -> int:
    return message.line if isinstance(message, ControlMessage) else message.first_line


@pytest.mark.parametrize(
    "stop_after_line",
    [
        2,  # the load of id 1 is in flight; the STATE behind it still comes in, and is confirmed
        4,  # id 1 in flight, id 2 waiting: id 2 is never loaded
    ],
)
def test_a_stop_lets_the_load_in_flight_finish_and_starts_no_other(stop_after_line: int) -> None:
    stop, loading, release = StopRequest(), threading.Event(), threading.Event()

    def slow_load(batch: Batch) -> None:
        loading.set()
        release.wait(10)

    def messages() -> Iterator[Message]:
        """The input as a tap sends it, SIGTERM arriving after `stop_after_line` while id 1 loads."""
        for message in framed(THREE_BATCHES):
            yield message
            if line_of(message) == stop_after_line:
                assert loading.wait(10)
                stop.ask(signal.SIGTERM)
                release.set()

    loader, emitted = MemoryLoader(on_load=slow_load), list[Any]()
    with pytest.raises(Stopped, match="stopped by SIGTERM"):
        TargetRunner(loader, replace(SETTINGS, batch_size_rows=1), emitted.append, stop).run(messages())
    assert loaded_ids(loader) == [1]
    assert emitted == [1]


def test_a_stop_during_a_retry_wait_gives_the_load_up() -> None:
    stop, attempts = StopRequest(), []

    def unavailable(batch: Batch) -> None:
        attempts.append(batch)
        stop.ask(signal.SIGINT)
        raise ConnectionResetError("connection reset")

    emitted = list[Any]()
    runner = TargetRunner(MemoryLoader(on_load=unavailable), replace(SETTINGS, retry_attempts=5), emitted.append, stop)
    started = time.monotonic()
    with pytest.raises(Stopped, match="stopped by SIGINT"):
        runner.run(framed(lines(PEOPLE, record("people", {"id": 1}))))
    assert (len(attempts), emitted) == (1, [])
    assert time.monotonic() - started < 0.5  # the first backoff alone would be 0.5 s


def test_input_cut_mid_line_commits_every_whole_record_then_fails() -> None:
    loader, emitted = MemoryLoader(), list[Any]()
    text = lines(PEOPLE, record("people", {"id": 1}), state(1), record("people", {"id": 2}))
    with pytest.raises(TruncatedInput, match="line 5: the input ends in the middle of this line"):
        TargetRunner(loader, SETTINGS, emitted.append).run(framed(text + lines(record("people", {"id": 3}))[:40]))
    assert loaded_ids(loader) == [1, 2]
    assert emitted == [1]
    assert loader.finished == []  # a cut input is no good end: nothing is swapped in or finished


def test_a_malformed_line_before_more_input_commits_nothing_of_its_batch() -> None:
    loader, emitted = MemoryLoader(), list[Any]()
    text = lines(PEOPLE, record("people", {"id": 1}), state(1))
    text += '{"type": "RECORD", "stream": "people", "rec\n' + lines(record("people", {"id": 3}), state(3))
    with pytest.raises(InputError, match="stream 'people': line 4: malformed JSON") as raised:
        TargetRunner(loader, SETTINGS, emitted.append).run(framed(text))
    assert not isinstance(raised.value, TruncatedInput)
    assert (loader.batches, emitted) == ([], [])
