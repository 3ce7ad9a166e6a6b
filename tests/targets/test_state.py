"""STATE leaves the target only after everything before it is committed."""

from __future__ import annotations

import json
import select
import subprocess

from tests.support.backend import Backend
from tests.support.singer_process import BIN
from tests.support.singer_text import lines, record, schema_message, state, states

INT = {"type": "integer"}


def interleaved(count: int) -> str:
    messages = [schema_message("a", {"id": INT}, ["id"]), schema_message("b", {"id": INT}, ["id"])]
    for i in range(1, count + 1):
        messages.append(record("a", {"id": i}))
        messages.append(record("b", {"id": i}))
        messages.append(state({"bookmarks": {"a": i, "b": i}}))
    return lines(*messages)


def test_states_released_in_order_under_interleaved_streams(backend: Backend) -> None:
    run = backend.run(interleaved(50), batch_size_rows=7)
    assert run.returncode == 0, run.stderr
    emitted = [s["bookmarks"]["a"] for s in states(run)]
    assert emitted == sorted(emitted)
    assert len(set(emitted)) == len(emitted)
    assert emitted[-1] == 50
    assert backend.count("a") == 50
    assert backend.count("b") == 50


def test_state_waits_for_the_other_streams_records(backend: Backend) -> None:
    # Stream a flushes every two records; stream b holds its one record until
    # the end, so no STATE after b's record may appear before the final flush.
    messages = [
        schema_message("a", {"id": INT}),
        schema_message("b", {"id": INT}),
        record("b", {"id": 1}),
        state({"n": 1}),
    ]
    messages += [record("a", {"id": i}) for i in range(4)] + [state({"n": 2})]
    run = backend.run(lines(*messages), batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"n": 2}]


def test_final_state_is_latest_when_count_is_a_multiple_of_batch_size(backend: Backend) -> None:
    messages = [schema_message("a", {"id": INT}, ["id"])]
    messages += [record("a", {"id": i}) for i in range(10)] + [state({"n": 10})]
    run = backend.run(lines(*messages), batch_size_rows=5)
    assert run.returncode == 0, run.stderr
    assert states(run)[-1] == {"n": 10}


def test_no_state_invented_when_tap_sent_none(backend: Backend) -> None:
    run = backend.run(lines(schema_message("a", {"id": INT}), record("a", {"id": 1})))
    assert run.returncode == 0, run.stderr
    assert run.stdout == b""


def test_state_before_any_record_is_passed_through_unchanged(backend: Backend) -> None:
    run = backend.run(lines(state({"bookmarks": {"a": "2021"}}), schema_message("a", {"id": INT})))
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"bookmarks": {"a": "2021"}}]


def test_failure_releases_no_state_past_last_commit(backend: Backend) -> None:
    messages = [
        schema_message("a", {"id": INT}, ["id"]),
        *[record("a", {"id": i}) for i in range(3)],
        state({"n": 1}),
        record("a", {"id": 3}),
        state({"n": 2}),
        record("a", {"id": "not a number"}),
        state({"n": 3}),
    ]
    run = backend.run(lines(*messages), batch_size_rows=3)
    assert run.returncode != 0
    assert states(run) == [{"n": 1}]
    assert backend.rows("a", ["id"], order_by="id") == [(0,), (1,), (2,)]
    assert run.error_lines() == [
        backend.error_line("stream 'a': line 8: column 'id': expected an integer, got \"not a number\"")
    ]


def test_state_with_long_numbers_is_echoed(backend: Backend) -> None:
    text = '{"type":"STATE","value":{"cursor":12345678901234567890123,"ratio":1.50,"when":"2021"}}\n'
    run = backend.run(text)
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"cursor": 12345678901234567890123, "ratio": 1.5, "when": "2021"}]


def test_state_released_while_a_quiet_tap_keeps_stdin_open(backend: Backend) -> None:
    """A tap that sends a STATE and then waits must see it confirmed before it
    sends more: the age limit flushes, and the STATE follows the commit."""
    config = backend.write_config(batch_wait_seconds=0.5)
    process = subprocess.Popen(
        [str(BIN / backend.program), "--config", str(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(lines(schema_message("a", {"id": INT}), record("a", {"id": 1}), state({"n": 1})).encode())
    process.stdin.flush()
    ready, _, _ = select.select([process.stdout], [], [], 60)
    first = process.stdout.readline() if ready else b""
    rows_while_open = backend.count("a")
    process.stdin.close()
    process.wait(timeout=60)
    assert json.loads(first) == {"n": 1}
    assert rows_while_open == 1
