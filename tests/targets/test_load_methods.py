"""Upsert, append-only and overwrite, checked by the rows they leave."""

from __future__ import annotations

from decimal import Decimal

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message, state, states
from tests.targets.bad_input import BAD_TIMESTAMP, assert_one_error_line

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def people(*rows: tuple[int, str | None]) -> str:
    return lines(
        schema_message("people", PROPS, ["id"]),
        *(record("people", {"id": i, "name": n}) for i, n in rows),
        state({"done": True}),
    )


def test_upsert_is_idempotent(backend: Backend) -> None:
    data = people((1, "a"), (2, "b"), (3, None))
    for _ in range(2):
        run = backend.run(data)
        assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id", "name"], order_by="id") == [(1, "a"), (2, "b"), (3, None)]


def test_upsert_updates_and_last_duplicate_in_a_batch_wins(backend: Backend) -> None:
    assert backend.run(people((1, "a"), (2, "b"))).returncode == 0
    run = backend.run(people((2, "first"), (3, "c"), (2, "second"), (2, "last")))
    assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id", "name"], order_by="id") == [(1, "a"), (2, "last"), (3, "c")]


def test_last_duplicate_wins_whatever_the_batch_size(backend: Backend) -> None:
    data = people((1, "first"), (2, "x"), (1, "second"), (3, "y"), (1, "last"))
    for batch_size in (100, 2, 100):
        run = backend.run(data, batch_size_rows=batch_size)
        assert run.returncode == 0, run.stderr
        assert states(run) == [{"done": True}]
        assert backend.rows("people", ["id", "name"], order_by="id") == [(1, "last"), (2, "x"), (3, "y")]


def test_upsert_with_composite_key(backend: Backend) -> None:
    props = {"file": {"type": "string"}, "row": {"type": "integer"}, "v": {"type": "number"}}
    data = lines(
        schema_message("t", props, ["file", "row"]),
        record("t", {"file": "x", "row": 1, "v": 1.5}),
        record("t", {"file": "y", "row": 1, "v": 2.5}),
        record("t", {"file": "x", "row": 1, "v": 3.25}),
    )
    assert backend.run(data).returncode == 0
    assert backend.run(data).returncode == 0
    assert backend.rows("t", ["file", "row", "v"], order_by="file") == [
        ("x", 1, Decimal("3.25")),
        ("y", 1, Decimal("2.5")),
    ]


def test_append_only_keeps_every_record(backend: Backend) -> None:
    data = people((1, "a"), (1, "a"))
    for _ in range(2):
        assert backend.run(data, load_method="append-only").returncode == 0
    assert backend.count("people") == 4


def test_overwrite_replaces_the_table(backend: Backend) -> None:
    assert backend.run(people((1, "a"), (2, "b"))).returncode == 0
    run = backend.run(people((5, "e"), (6, "f"), (7, "g")), load_method="overwrite", batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id"], order_by="id") == [(5,), (6,), (7,)]


def test_failed_overwrite_keeps_the_old_rows(backend: Backend) -> None:
    props = {"id": {"type": "integer"}, "ts": {"type": "string", "format": "date-time"}}
    old = [record("o", {"id": i, "ts": "2020-01-01T00:00:00Z"}) for i in (1, 2, 3)]
    assert backend.run(lines(schema_message("o", props), *old)).returncode == 0
    failed = backend.run(
        lines(schema_message("o", props), record("o", {"id": 9, "ts": BAD_TIMESTAMP})), load_method="overwrite"
    )
    assert failed.returncode != 0
    assert_one_error_line(backend, failed, "stream 'o': line 2: column 'ts': {bad_timestamp}")
    assert backend.count("o") == 3
    run = backend.run(
        lines(schema_message("o", props), *[record("o", {"id": i, "ts": "2021-01-01T00:00:00Z"}) for i in (7, 8)]),
        load_method="overwrite",
        batch_size_rows=1,
    )
    assert run.returncode == 0, run.stderr
    assert backend.rows("o", ["id"], order_by="id") == [(7,), (8,)]


def test_many_batches_load_everything(backend: Backend) -> None:
    run = backend.run(people(*[(i, f"n{i}") for i in range(2500)]), batch_size_rows=300)
    assert run.returncode == 0, run.stderr
    rows = backend.rows("people", ["id", "name"])
    assert (len(rows), sum(i for i, _ in rows), max(n for _, n in rows)) == (2500, sum(range(2500)), "n999")
