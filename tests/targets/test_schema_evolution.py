"""New SCHEMA messages change tables without losing or truncating data."""

from __future__ import annotations

from tests.targets.backend import Backend
from tests.targets.singer_text import lines, record, schema_message

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
