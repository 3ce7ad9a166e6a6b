"""New SCHEMA messages change tables without losing or truncating data."""

from __future__ import annotations

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message

INT = {"type": ["integer", "null"]}


def test_new_columns_are_added_and_old_rows_keep_their_values(backend: Backend) -> None:
    data = lines(
        schema_message("t", {"id": INT}, ["id"]),
        record("t", {"id": 1}),
        schema_message("t", {"id": INT, "note": {"type": "string"}}, ["id"]),
        record("t", {"id": 2, "note": "x"}),
    )
    assert backend.run(data).returncode == 0
    assert backend.rows("t", ["id", "note"], order_by="id") == [(1, None), (2, "x")]


def test_identical_schema_repeated_mid_stream_is_harmless(backend: Backend) -> None:
    schema = schema_message("t", {"id": INT}, ["id"])
    data = lines(schema, record("t", {"id": 1}), schema, record("t", {"id": 2}), schema)
    assert backend.run(data).returncode == 0
    assert backend.rows("t", ["id"], order_by="id") == [(1,), (2,)]


def test_json_column_stays_json_when_a_schema_says_string(backend: Backend) -> None:
    """The core's evolution rule: the column never narrows, so the strings are
    stored as JSON strings and the objects stay objects, even once a later
    schema says object again."""
    steps = [({"type": "object"}, {"a": 1}), ({"type": "string"}, "plain"), ({"type": "object"}, {"b": 2})]
    for i, (prop, value) in enumerate(steps):
        run = backend.run(lines(schema_message("t", {"id": INT, "v": prop}), record("t", {"id": i, "v": value})))
        assert run.returncode == 0, run.stderr
        assert backend.column_types("t")["v"] == "json"
    assert backend.rows("t", ["id", "v"], order_by="id") == [(0, {"a": 1}), (1, "plain"), (2, {"b": 2})]
