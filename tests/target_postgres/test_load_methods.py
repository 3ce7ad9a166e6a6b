"""Upsert, append-only and overwrite, checked by the rows they leave."""

from __future__ import annotations

from decimal import Decimal

from tests.target_postgres.conftest import Target, lines, record, schema_message, state

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def stream(*rows: tuple[int, str | None], keys: list[str] | None = None) -> str:
    return lines(
        schema_message("people", PROPS, ["id"] if keys is None else keys),
        *(record("people", {"id": i, "name": n}) for i, n in rows),
        state({"done": True}),
    )


def test_upsert_is_idempotent(target: Target) -> None:
    data = stream((1, "a"), (2, "b"), (3, None))
    for _ in range(2):
        run = target.run(data)
        assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, name FROM people ORDER BY id") == [(1, "a"), (2, "b"), (3, None)]


def test_upsert_updates_and_last_duplicate_in_a_batch_wins(target: Target) -> None:
    assert target.run(stream((1, "a"), (2, "b"))).returncode == 0
    run = target.run(stream((2, "first"), (3, "c"), (2, "second"), (2, "last")))
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, name FROM people ORDER BY id") == [(1, "a"), (2, "last"), (3, "c")]


def test_upsert_with_composite_key(target: Target) -> None:
    props = {"file": {"type": "string"}, "row": {"type": "integer"}, "v": {"type": "number"}}
    data = lines(
        schema_message("t", props, ["file", "row"]),
        record("t", {"file": "x", "row": 1, "v": 1.5}),
        record("t", {"file": "y", "row": 1, "v": 2.5}),
        record("t", {"file": "x", "row": 1, "v": 3.25}),
    )
    assert target.run(data).returncode == 0
    assert target.run(data).returncode == 0
    assert target.query("SELECT file, row, v FROM t ORDER BY 1") == [
        ("x", 1, Decimal("3.25")),
        ("y", 1, Decimal("2.5")),
    ]
    assert target.primary_key("t") == ["file", "row"]


def test_append_only_keeps_every_record(target: Target) -> None:
    data = stream((1, "a"), (1, "a"))
    for _ in range(2):
        assert target.run(data, load_method="append-only").returncode == 0
    assert target.query("SELECT count(*) FROM people") == [(4,)]


def test_overwrite_replaces_the_table(target: Target) -> None:
    assert target.run(stream((1, "a"), (2, "b"))).returncode == 0
    run = target.run(stream((5, "e"), (6, "f"), (7, "g")), load_method="overwrite", batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id FROM people ORDER BY id") == [(5,), (6,), (7,)]


def test_many_batches_load_everything(target: Target) -> None:
    rows = [(i, f"n{i}") for i in range(2500)]
    run = target.run(stream(*rows), batch_size_rows=300)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT count(*), sum(id), max(name) FROM people") == [(2500, sum(range(2500)), "n999")]
