"""A record field its SCHEMA does not declare, which JSON Schema allows unless
additionalProperties is false, and the undeclared_fields setting.

By default the record loads and the field gets a column, typed from its
values, with one warning per stream and field; `drop` loads the record
without it and counts what it dropped; `fail` stops the run naming stream,
line and field. additionalProperties false refuses the record whatever the
setting. Each case runs through both decoding paths: the Arrow block reader
and the per-record path a JSON column sends every block down.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.backend import Backend
from tests.support.singer_process import Run, run_connector
from tests.support.singer_text import lines, record, schema_message, state, states

FLAT = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}
WITH_JSON = {**FLAT, "extra": {"type": ["object", "null"]}}
PATHS = pytest.mark.parametrize("properties", [FLAT, WITH_JSON], ids=["block_reader", "per_record"])
HEAD = '{"type":"RECORD","stream":"t","record":'


def schema_with(properties: dict[str, Any], **schema: Any) -> dict[str, Any]:
    """A SCHEMA message for stream t keyed on id, with more keywords at the schema's top level."""
    message = schema_message("t", properties, ["id"])
    message["schema"].update(schema)
    return message


def warnings(run: Run, about: str) -> list[str]:
    """The target's warnings that contain `about`, without time and logger."""
    lines = run.stderr.splitlines()
    return [line.partition(" WARNING ")[2] for line in lines if " WARNING " in line and about in line]


def added_warnings(run: Run) -> list[str]:
    return warnings(run, "added a column of type")


def added(field: str, kind: str) -> str:
    return (
        f"stream 't': field {field!r} is not declared in the stream's SCHEMA; added a column of type {kind} "
        "for it (undeclared_fields is add-column)"
    )


@PATHS
def test_a_field_gets_a_column_typed_from_its_values(backend: Backend, properties: dict[str, Any]) -> None:
    """Rows from before the field appeared have NULL there; a later value of
    another JSON type widens the column to JSON; a later SCHEMA that still
    does not declare the field keeps its column."""
    data = lines(
        schema_with(properties),
        record("t", {"id": 1, "name": "a"}),
        record("t", {"id": 2, "name": "b"}),
        state({"n": 2}),
        record("t", {"id": 3, "count": 7, "mixed": 1, "obj": {"a": 1}, "grows": 1, "none": None}),
        record("t", {"id": 4, "count": 8, "mixed": "x", "obj": [1, 2], "grows": 2}),
        state({"n": 4}),
        record("t", {"id": 5, "count": 9, "grows": "many"}),
        schema_with({**properties, "note": {"type": "string"}}),
        record("t", {"id": 6, "count": 10, "note": "later"}),
        state({"n": 6}),
    )
    run = backend.run(data, batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"n": 2}, {"n": 4}, {"n": 6}]
    types = backend.column_types("t")
    assert {c: types[c] for c in ("count", "mixed", "obj", "grows", "none")} == {
        "count": "integer",
        "mixed": "json",
        "obj": "json",
        "grows": "json",
        "none": "string",
    }
    assert backend.rows("t", ["id", "count", "mixed", "obj", "grows", "none", "note"], order_by="id") == [
        (1, None, None, None, None, None, None),
        (2, None, None, None, None, None, None),
        (3, 7, 1, {"a": 1}, 1, None, None),
        (4, 8, "x", [1, 2], 2, None, None),
        (5, 9, None, None, "many", None, None),
        (6, 10, None, None, None, None, "later"),
    ]
    assert sorted(added_warnings(run)) == sorted(
        [
            added("count", "integer"),
            added("mixed", "json"),
            added("obj", "json"),
            added("grows", "integer"),
            added("none", "string"),
        ]
    )


def test_additional_properties_as_a_schema_types_the_column(backend: Backend) -> None:
    """Its values alone (whole numbers) would make an integer column."""
    extra = {"type": ["number", "null"]}
    data = lines(schema_with(FLAT, additionalProperties=extra), record("t", {"id": 1, "fare": 5}))
    run = backend.run(data)
    assert run.returncode == 0, run.stderr
    assert backend.column_types("t")["fare"] == "decimal"
    assert backend.rows("t", ["id", "fare"]) == [(1, 5)]
    assert added_warnings(run) == [added("fare", "decimal")]


@PATHS
def test_drop_loads_the_record_without_the_field_and_counts_it(backend: Backend, properties: dict[str, Any]) -> None:
    data = lines(
        schema_with(properties),
        record("t", {"id": 1, "name": "a", "surprise": 1}),
        record("t", {"id": 2, "name": "b", "surprise": None}),
        state({"n": 2}),
        record("t", {"id": 3, "name": "c", "surprise": {"deep": True}}),
        state({"n": 3}),
    )
    run = backend.run(data, batch_size_rows=2, undeclared_fields="drop")
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"n": 2}, {"n": 3}]
    assert "surprise" not in backend.column_types("t")
    assert backend.rows("t", ["id", "name"], order_by="id") == [(1, "a"), (2, "b"), (3, "c")]
    assert warnings(run, "'surprise'") == [
        "stream 't': field 'surprise' is not declared in the stream's SCHEMA; its values were dropped from "
        "2 records (undeclared_fields is drop)"
    ]


def undeclared_at_line(line: int) -> str:
    return (
        f"stream 't': line {line}: field 'surprise' is not declared in the stream's SCHEMA; send a SCHEMA that "
        "declares it, or set undeclared_fields to add-column or drop"
    )


@PATHS
def test_fail_stops_naming_stream_line_and_field(backend: Backend, properties: dict[str, Any]) -> None:
    data = lines(
        schema_with(properties),
        record("t", {"id": 1, "name": "a"}),
        record("t", {"id": 2, "name": "b"}),
        state({"n": 2}),
        record("t", {"id": 3, "name": "c"}),
        record("t", {"id": 4, "name": "d", "surprise": 7}),
        state({"n": 4}),
    )
    run = backend.run(data, batch_size_rows=2, undeclared_fields="fail")
    assert run.returncode == 2
    assert run.error_lines() == [backend.error_line(undeclared_at_line(6))]
    assert states(run) == [{"n": 2}]
    assert sorted(backend.rows("t", ["id"])) == [(1,), (2,)]


def test_fail_names_a_field_deep_in_a_large_block(backend: Backend) -> None:
    body = [HEAD + json.dumps({"id": i, "name": "n"}, separators=(",", ":")) + "}\n" for i in range(30_000)]
    body[23_456] = HEAD + json.dumps({"id": 23_456, "name": "n", "surprise": None}) + "}\n"
    run = backend.run(lines(schema_with(FLAT)) + "".join(body), undeclared_fields="fail")
    assert run.returncode == 2
    assert run.error_lines() == [backend.error_line(undeclared_at_line(23_458))]


@pytest.mark.parametrize("setting", ["add-column", "drop"])
@PATHS
def test_additional_properties_false_refuses_the_record_whatever_the_setting(
    backend: Backend, properties: dict[str, Any], setting: str
) -> None:
    data = lines(
        schema_with(properties, additionalProperties=False),
        record("t", {"id": 1, "name": "a"}),
        state({"n": 1}),
        record("t", {"id": 2, "name": "b", "surprise": "x"}),
        state({"n": 2}),
    )
    run = backend.run(data, batch_size_rows=1, undeclared_fields=setting)
    assert run.returncode == 2
    assert run.error_lines() == [
        backend.error_line(
            "stream 't': line 4: field 'surprise' is not declared in the stream's SCHEMA, whose "
            "additionalProperties is false"
        )
    ]
    assert states(run) == [{"n": 1}]
    assert backend.rows("t", ["id"]) == [(1,)]
    assert "surprise" not in backend.column_types("t")


def test_envelope_keys_and_missing_fields_are_not_undeclared(backend: Backend) -> None:
    data = lines(
        schema_with(FLAT),
        record("t", {"id": 1}, time_extracted="2021-02-03T04:05:06Z", version=3),
        record("t", {"name": "only a name", "id": 2}),
    )
    run = backend.run(data, undeclared_fields="fail")
    assert run.returncode == 0, run.stderr
    assert sorted(backend.rows("t", ["id", "name"])) == [(1, None), (2, "only a name")]


def test_about_shows_the_setting_its_choices_and_default(backend: Backend) -> None:
    about = json.loads(run_connector(backend.program, "--about", "--format", "json", singer_output=False).stdout)
    setting = about["settings"]["properties"]["undeclared_fields"]
    assert (setting["enum"], setting["default"]) == (["add-column", "drop", "fail"], "add-column")


def test_an_unknown_choice_is_refused_at_start(backend: Backend) -> None:
    run = backend.run(lines(schema_with(FLAT)), undeclared_fields="ignore")
    assert run.returncode == 2
    assert run.error_lines() == [
        backend.error_line("setting 'undeclared_fields' has 'ignore'; allowed: add-column, drop, fail")
    ]
