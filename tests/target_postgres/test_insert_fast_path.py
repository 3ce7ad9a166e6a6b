"""Keyed batches are COPYed straight in while their keys are new, and upserted once they are not.

The fast path must be invisible: a batch that meets an existing key only
halfway through must leave no trace of its partial COPY, and every later
batch of that stream must still update rows.
"""

from __future__ import annotations

from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message, state

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def _stream(rows: list[tuple[int, str]]) -> str:
    return lines(
        schema_message("people", PROPS, ["id"]),
        *(record("people", {"id": i, "name": n}) for i, n in rows),
        state({"n": len(rows)}),
    )


def test_a_batch_meeting_an_existing_key_midway_is_upserted_whole(target: PostgresBackend) -> None:
    first = target.run(_stream([(i, "old") for i in range(1, 101)]), batch_size_rows=1000)
    assert first.returncode == 0, first.stderr
    mixed = [(i, "new") for i in range(101, 151)] + [(i, "updated") for i in range(90, 96)]
    second = target.run(_stream(mixed), batch_size_rows=1000)
    assert second.returncode == 0, second.stderr
    assert target.query("SELECT count(*), count(DISTINCT id) FROM people") == [(150, 150)]
    assert target.query("SELECT name, count(*) FROM people GROUP BY name ORDER BY name") == [
        ("new", 50),
        ("old", 94),
        ("updated", 6),
    ]


def test_updates_after_inserts_in_one_run_land(target: PostgresBackend) -> None:
    rows = [(i, "v1") for i in range(1, 31)] + [(i, "v2") for i in range(1, 31)] + [(i, "v3") for i in range(21, 41)]
    run = target.run(_stream(rows), batch_size_rows=10)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT name, count(*) FROM people GROUP BY name ORDER BY name") == [("v2", 20), ("v3", 20)]
