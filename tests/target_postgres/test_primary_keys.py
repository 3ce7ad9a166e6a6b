"""Key properties become PostgreSQL primary keys (BigQuery has none to check)."""

from __future__ import annotations

from pathlib import Path

import singer_sdk.testing

from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message

STREAMS = Path(singer_sdk.testing.__file__).parent / "target_test_streams"


def load(target: PostgresBackend, name: str) -> None:
    run = target.run((STREAMS / f"{name}.singer").read_bytes())
    assert run.returncode == 0, run.stderr


def test_camelcase_key_keeps_its_case(target: PostgresBackend) -> None:
    load(target, "camelcase")
    assert target.primary_key("TestCamelcase") == ["Id"]


def test_streams_without_keys_get_no_primary_key(target: PostgresBackend) -> None:
    load(target, "no_primary_keys")
    load(target, "no_primary_keys_append")
    assert target.primary_key("test_no_pk") == []


def test_composite_key_in_schema_order(target: PostgresBackend) -> None:
    props = {"file": {"type": "string"}, "row": {"type": "integer"}, "v": {"type": "number"}}
    data = lines(schema_message("t", props, ["file", "row"]), record("t", {"file": "x", "row": 1}))
    assert target.run(data).returncode == 0
    assert target.primary_key("t") == ["file", "row"]
