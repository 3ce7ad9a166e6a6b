"""A record field its SCHEMA does not declare fails the run instead of vanishing.

Whichever decoding path a block takes (the Arrow block reader, or the
per-record path that JSON columns and validation use), the run stops with
one line naming the stream, the input line and the field; the batch holding
it is not loaded and no STATE after the last commit is released.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message, state, states

FLAT = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}
WITH_JSON = {**FLAT, "extra": {"type": "object"}}
HEAD = '{"type":"RECORD","stream":"t","record":'


def undeclared_at_line(line: int) -> str:
    return (
        f"stream 't': line {line}: field 'surprise' is not declared in the stream's SCHEMA; "
        "send a SCHEMA that declares it"
    )


@pytest.mark.parametrize("properties", [FLAT, WITH_JSON], ids=["block_reader", "per_record"])
def test_undeclared_field_fails_naming_stream_line_and_field(backend: Backend, properties: dict[str, Any]) -> None:
    data = lines(
        schema_message("t", properties, ["id"]),
        record("t", {"id": 1, "name": "a"}),
        record("t", {"id": 2, "name": "b"}),
        state({"n": 2}),
        record("t", {"id": 3, "name": "c"}),
        record("t", {"id": 4, "name": "d", "surprise": 7}),
        state({"n": 4}),
    )
    run = backend.run(data, batch_size_rows=2)
    assert run.returncode == 2
    assert run.error_lines() == [backend.error_line(undeclared_at_line(6))]
    assert states(run) == [{"n": 2}]
    assert sorted(backend.rows("t", ["id"])) == [(1,), (2,)]


def test_undeclared_field_deep_in_a_large_block_is_named(backend: Backend) -> None:
    body = [HEAD + json.dumps({"id": i, "name": "n"}, separators=(",", ":")) + "}\n" for i in range(30_000)]
    body[23_456] = HEAD + json.dumps({"id": 23_456, "name": "n", "surprise": None}) + "}\n"
    run = backend.run(lines(schema_message("t", FLAT, ["id"])) + "".join(body))
    assert run.returncode == 2
    assert run.error_lines() == [backend.error_line(undeclared_at_line(23_458))]
    assert backend.count("t") == 0


def test_envelope_keys_and_missing_fields_are_not_undeclared(backend: Backend) -> None:
    data = lines(
        schema_message("t", FLAT, ["id"]),
        record("t", {"id": 1}, time_extracted="2021-02-03T04:05:06Z", version=3),
        record("t", {"name": "only a name", "id": 2}),
    )
    run = backend.run(data)
    assert run.returncode == 0, run.stderr
    assert sorted(backend.rows("t", ["id", "name"])) == [(1, None), (2, "only a name")]
