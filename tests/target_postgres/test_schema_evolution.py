"""New SCHEMA messages change tables without losing or truncating data."""

from __future__ import annotations

from decimal import Decimal

from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message

INT = {"type": ["integer", "null"]}


def test_integer_widens_to_numeric_then_text_only_when_the_schema_says_string(target: PostgresBackend) -> None:
    steps = [
        ({"id": INT, "v": INT}, 1),
        ({"id": INT, "v": {"type": ["number", "null"]}}, 2.5),
        ({"id": INT, "v": INT}, 3),  # narrower again: the column stays numeric
        ({"id": INT, "v": {"type": ["string", "null"]}}, "four"),
    ]
    types = []
    for i, (props, value) in enumerate(steps):
        run = target.run(lines(schema_message("t", props, ["id"]), record("t", {"id": i, "v": value})))
        assert run.returncode == 0, run.stderr
        types.append(target.pg_types("t")["v"])
    assert types == ["bigint", "numeric", "numeric", "text"]
    assert target.query("SELECT id, v FROM t ORDER BY id") == [(0, "1"), (1, "2.5"), (2, "3"), (3, "four")]


def test_existing_narrow_types_are_widened(target: PostgresBackend) -> None:
    target.query(
        f'CREATE SCHEMA "{target.schema}"; CREATE TABLE "{target.schema}".t '
        "(id integer PRIMARY KEY, amount numeric(6,2), name varchar(3) NOT NULL, extra text NOT NULL); "
        "INSERT INTO t VALUES (1, 1.25, 'abc', 'e') RETURNING 1"
    )
    props = {"id": {"type": "integer"}, "amount": {"type": "number"}, "name": {"type": "string"}}
    data = lines(
        schema_message("t", props, ["id"]),
        record("t", {"id": 2**40, "amount": 123456.125, "name": "a much longer name"}),
    )
    run = target.run(data)
    assert run.returncode == 0, run.stderr
    assert target.pg_types("t") == {"id": "bigint", "amount": "numeric", "name": "text", "extra": "text"}
    assert target.query("SELECT id, amount, name, extra FROM t ORDER BY id") == [
        (1, Decimal("1.25"), "abc", "e"),
        (2**40, Decimal("123456.125"), "a much longer name", None),
    ]


def test_incompatible_scalar_change_goes_to_jsonb(target: PostgresBackend) -> None:
    first = lines(schema_message("t", {"v": {"type": "boolean"}}), record("t", {"v": True}))
    second = lines(schema_message("t", {"v": {"type": "integer"}}), record("t", {"v": 7}))
    assert target.run(first).returncode == 0
    assert target.run(second).returncode == 0
    assert target.pg_types("t")["v"] == "jsonb"
    assert sorted(target.query("SELECT v::text FROM t")) == [("7",), ("true",)]


def test_key_change_is_applied_when_the_rows_allow_it(target: PostgresBackend) -> None:
    props = {"id": {"type": "integer"}, "email": {"type": "string"}}
    first = lines(schema_message("t", props, ["id"]), record("t", {"id": 1, "email": "a@x"}))
    second = lines(schema_message("t", props, ["email"]), record("t", {"id": 9, "email": "a@x"}))
    assert target.run(first).returncode == 0
    run = target.run(second)
    assert run.returncode == 0, run.stderr
    assert target.primary_key("t") == ["email"]
    assert target.query("SELECT id, email FROM t") == [(9, "a@x")]


def test_key_change_refused_when_existing_rows_violate_it(target: PostgresBackend) -> None:
    props = {"id": {"type": "integer"}, "grp": {"type": "string"}}
    first = lines(
        schema_message("t", props, ["id"]), record("t", {"id": 1, "grp": "g"}), record("t", {"id": 2, "grp": "g"})
    )
    second = lines(schema_message("t", props, ["grp"]), record("t", {"id": 3, "grp": "h"}))
    assert target.run(first).returncode == 0
    run = target.run(second)
    assert run.returncode != 0
    [line] = run.error_lines()
    assert line.startswith(
        "target-postgres-lite: error: stream 't': line 1: key properties changed from ['id'] to ['grp']"
    )
    assert target.primary_key("t") == ["id"]
    assert target.query("SELECT count(*) FROM t") == [(2,)]
