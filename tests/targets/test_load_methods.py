"""Upsert, append-only and overwrite, checked by the rows they leave.

An overwrite builds the new rows in a table aside and swaps them in at the
end of the input, so its STATE comes only after the swap, and a failed
overwrite leaves the previous rows exactly and no table aside.
"""

from __future__ import annotations

from decimal import Decimal

from tests.support.backend import Backend
from tests.support.singer_text import activate_version, lines, record, schema_message, state, states
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


def with_states(*rows: tuple[int, str | None]) -> str:
    """People records, each followed by a STATE naming it."""
    messages = [schema_message("people", PROPS, ["id"])]
    for i, name in rows:
        messages += [record("people", {"id": i, "name": name}), state({"at": i})]
    return lines(*messages)


def test_overwrite_over_several_batches_replaces_every_row_and_states_only_after_the_swap(backend: Backend) -> None:
    assert backend.run(people((1, "a"), (2, "b"), (3, "c"))).returncode == 0
    types = backend.column_types("people")
    run = backend.run(
        with_states((5, "e"), (6, "f"), (7, None), (8, "h"), (9, "i")), load_method="overwrite", batch_size_rows=2
    )
    assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id", "name"], order_by="id") == [(5, "e"), (6, "f"), (7, None), (8, "h"), (9, "i")]
    assert backend.column_types("people") == types
    assert backend.tables() == {"people"}
    # Upserting the same input releases a STATE per batch; here the first is the swap's.
    assert states(run) == [{"at": 9}]


def test_overwrite_whose_later_batch_fails_keeps_the_old_rows_and_releases_no_state(backend: Backend) -> None:
    props = {"id": {"type": "integer"}, "ts": {"type": "string", "format": "date-time"}}
    old = [record("o", {"id": i, "ts": f"2020-01-0{i}T00:00:00Z"}) for i in (1, 2, 3)]
    assert backend.run(lines(schema_message("o", props, ["id"]), *old)).returncode == 0
    before = backend.rows("o", ["id", "ts"], order_by="id")
    new = [record("o", {"id": i, "ts": "2021-01-01T00:00:00Z"}) for i in (1, 7, 8, 9)]
    failed = backend.run(
        lines(
            schema_message("o", props, ["id"]),
            *new[:2],
            state(1),
            *new[2:],
            state(2),
            record("o", {"id": 10, "ts": BAD_TIMESTAMP}),
            state(3),
        ),
        load_method="overwrite",
        batch_size_rows=2,
    )
    assert failed.returncode == 2
    assert_one_error_line(backend, failed, "stream 'o': line 8: column 'ts': {bad_timestamp}")
    assert states(failed) == []
    assert backend.rows("o", ["id", "ts"], order_by="id") == before
    assert len(before) == 3
    assert backend.tables() == {"o"}


def test_keyed_overwrite_keeps_the_last_record_per_key_across_batches(backend: Backend) -> None:
    assert backend.run(people((1, "old"), (4, "old"))).returncode == 0
    data = people((1, "first"), (2, "b"), (3, "c"), (1, "last"), (2, "again"))
    run = backend.run(data, load_method="overwrite", batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id", "name"], order_by="id") == [(1, "last"), (2, "again"), (3, "c")]


def test_overwrite_of_a_new_table_follows_schema_changes_mid_stream(backend: Backend) -> None:
    wider = {**PROPS, "n": {"type": "integer"}}
    data = lines(
        schema_message("people", PROPS, ["id"]),
        record("people", {"id": 1, "name": "a"}),
        schema_message("people", wider, ["id"]),
        record("people", {"id": 2, "name": "b", "n": 5}),
        record("people", {"id": 3, "name": "c", "n": 2**64}),
        state("done"),
    )
    run = backend.run(data, load_method="overwrite", batch_size_rows=1)
    assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id", "name", "n"], order_by="id") == [(1, "a", None), (2, "b", 5), (3, "c", 2**64)]
    assert backend.column_types("people")["n"] == "decimal"
    assert backend.tables() == {"people"}
    assert states(run) == ["done"]
    again = backend.run(people((9, "z")), load_method="overwrite")
    assert again.returncode == 0, again.stderr
    assert backend.rows("people", ["id", "name", "n"]) == [(9, "z", None)]


def test_overwrite_applies_activate_version_to_the_new_rows(backend: Backend) -> None:
    assert backend.run(people((1, "old"), (2, "old"))).returncode == 0
    data = lines(
        schema_message("people", PROPS, ["id"]),
        *(record("people", {"id": i, "name": "v1"}, version=1) for i in (1, 3)),
        activate_version("people", 1),
        record("people", {"id": 3, "name": "v2"}, version=2),
        activate_version("people", 2),
    )
    run = backend.run(data, load_method="overwrite", hard_delete=True, batch_size_rows=1)
    assert run.returncode == 0, run.stderr
    assert backend.rows("people", ["id", "name", "_sdc_table_version"]) == [(3, "v2", 2)]


def test_overwrite_without_records_empties_the_table(backend: Backend) -> None:
    assert backend.run(people((1, "a"))).returncode == 0
    run = backend.run(lines(schema_message("people", PROPS, ["id"]), state("s")), load_method="overwrite")
    assert run.returncode == 0, run.stderr
    assert backend.count("people") == 0
    assert backend.tables() == {"people"}
    assert states(run) == ["s"]


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
