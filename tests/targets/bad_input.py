"""Input a target must refuse, as data, and the one check every refusal must pass.

A refusal is one error line naming the stream and input line, a non-zero
exit, the STATE lines committed before it and nothing after, and only the
rows committed before it (no table, if nothing was). Back ends add their own cases of the same shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.backend import Backend
from tests.support.singer_process import Run
from tests.support.singer_text import lines, record, schema_message, state, states

# Not "yesterday": PostgreSQL reads that as a date.
BAD_TIMESTAMP = "yesterday-ish"


@dataclass(frozen=True)
class BadInput:
    """`error` is the line after "<program>: error: ", or its start when it ends
    with "..."; "{bad_timestamp}" stands for the back end's bad_timestamp_error
    about BAD_TIMESTAMP. `stream` must then hold `rows_kept` rows, or, when
    none is kept, have no table at all (a refused run leaves none behind)."""

    name: str
    text: str
    error: str
    settings: dict[str, Any] = field(default_factory=dict)
    states: list[Any] = field(default_factory=list)
    stream: str | None = None
    rows_kept: int = 0

    def __str__(self) -> str:
        return self.name


def assert_one_error_line(backend: Backend, run: Run, message: str) -> None:
    """`message` as BadInput.error has it: exact, or a start when it ends with "..."."""
    [line] = run.error_lines()
    bad_timestamp = backend.bad_timestamp_error.format(value=BAD_TIMESTAMP)
    expected = backend.error_line(message.replace("{bad_timestamp}", bad_timestamp))
    if expected.endswith("..."):
        assert line.startswith(expected[:-3]), line
    else:
        assert line == expected


def check_bad_input(backend: Backend, case: BadInput) -> None:
    run = backend.run(case.text, **case.settings)
    assert run.returncode == 2, run.stderr
    assert_one_error_line(backend, run, case.error)
    assert states(run) == case.states
    if case.stream is not None and case.rows_kept:
        assert backend.count(case.stream) == case.rows_kept
    elif case.stream is not None:
        assert case.stream not in backend.tables()


_TS = {"id": {"type": "integer"}, "ts": {"type": "string", "format": "date-time"}}
_PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}
_BLOCK_HEAD = '{"type":"RECORD","stream":"t","record":'


def _large_block_with_a_malformed_line() -> str:
    body = [_BLOCK_HEAD + json.dumps({"id": i, "name": "n"}, separators=(",", ":")) + "}\n" for i in range(50_000)]
    body[41_234] = _BLOCK_HEAD + '{"id": 41234, "name": "n}\n'
    return lines(schema_message("t", _PROPS, ["id"])) + "".join(body)


SHARED_BAD_INPUT: tuple[BadInput, ...] = (
    BadInput(
        "malformed_json",
        lines(schema_message("s", _TS), record("s", {"id": 1})) + '{"type": "RECORD", "stream": "s", "rec\n',
        "stream 's': line 3: malformed JSON...",
        stream="s",
    ),
    BadInput(
        "malformed_json_inside_a_large_block",
        _large_block_with_a_malformed_line(),
        "stream 't': line 41236: malformed JSON...",
        stream="t",
    ),
    BadInput("not_a_singer_message", "[1, 2]\n", 'line 1: not a Singer message (a JSON object with a "type")'),
    BadInput(
        "unknown_message_type",
        lines(schema_message("s", _TS), {"type": "BOGUS", "stream": "s"}),
        "line 2: unsupported Singer message type 'BOGUS'",
    ),
    BadInput(
        "unknown_message_type_first",
        lines({"type": "UPSERT", "stream": "t"}),
        "line 1: unsupported Singer message type 'UPSERT'",
    ),
    BadInput(
        "batch_without_encoding",
        lines({"type": "BATCH", "stream": "t"}),
        'stream \'t\': line 1: BATCH needs an "encoding" whose "format" is jsonl or parquet',
        stream="t",
    ),
    BadInput(
        "string_for_integer",
        lines(schema_message("s", _TS)) + lines(record("s", {"id": "abc"})),
        "stream 's': line 2: column 'id': expected an integer, got \"abc\"",
        stream="s",
    ),
    BadInput(
        "wrong_type_after_good_records",
        lines(
            schema_message("t", _PROPS, ["id"]),
            record("t", {"id": 1, "name": "a"}),
            record("t", {"id": 2, "name": 5}),
            record("t", {"id": "x"}),
        ),
        "stream 't': line 4: column 'id': expected an integer, got \"x\"",
        stream="t",
    ),
    BadInput(
        "bad_date_time_after_a_commit",
        lines(
            schema_message("s", _TS),
            record("s", {"id": 1, "ts": "2021-01-06T01:57:45Z"}),
            state(1),
            record("s", {"id": 2, "ts": BAD_TIMESTAMP}),
            state(2),
        ),
        "stream 's': line 4: column 'ts': {bad_timestamp}",
        {"batch_size_rows": 1},
        [1],
        "s",
        1,
    ),
    BadInput(
        "bad_date_time_in_the_first_batch",
        lines(
            schema_message("s", _TS, ["id"]),
            record("s", {"id": 1, "ts": "2021-01-01T00:00:00Z"}),
            record("s", {"id": 2, "ts": BAD_TIMESTAMP}),
        ),
        "stream 's': line 3: column 'ts': {bad_timestamp}",
        stream="s",
    ),
    BadInput(
        "activate_version_before_schema",
        lines({"type": "ACTIVATE_VERSION", "stream": "t", "version": 1}),
        "stream 't': line 1: ACTIVATE_VERSION before the stream's SCHEMA",
    ),
)
