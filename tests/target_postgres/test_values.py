"""Types chosen from JSON Schema, and awkward values that must land intact."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message

NULLABLE_NUMBER = {"type": ["number", "null"]}


def test_column_types_from_json_schema(target: PostgresBackend) -> None:
    props = {
        "i": {"type": "integer"},
        "big": {"type": "integer", "maximum": 10**30},
        "n": {"type": "number"},
        "s": {"type": "string"},
        "ts": {"type": "string", "format": "date-time"},
        "d": {"type": "string", "format": "date"},
        "t": {"type": "string", "format": "time"},
        "b": {"type": "boolean"},
        "o": {"type": "object"},
        "a": {"type": "array"},
        "int_or_num": {"type": ["integer", "number", "null"]},
        "str_or_int": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "anything": {},
        "dec": {"type": "string", "format": "singer.decimal"},
    }
    assert target.run(lines(schema_message("t", props))).returncode == 0
    assert target.pg_types("t") == {
        "i": "bigint",
        "big": "numeric",
        "n": "numeric",
        "s": "text",
        "ts": "timestamp with time zone",
        "d": "date",
        "t": "time without time zone",
        "b": "boolean",
        "o": "jsonb",
        "a": "jsonb",
        "int_or_num": "numeric",
        "str_or_int": "text",
        "anything": "jsonb",
        "dec": "numeric",
    }


def test_number_as_float_setting(target: PostgresBackend) -> None:
    run = target.run(
        lines(schema_message("t", {"n": {"type": "number"}}), record("t", {"n": 0.1})), number_as_float=True
    )
    assert run.returncode == 0, run.stderr
    assert target.pg_types("t") == {"n": "double precision"}
    assert target.query("SELECT n FROM t") == [(0.1,)]


def test_long_decimals_and_huge_integers_stay_exact(target: PostgresBackend) -> None:
    text = (
        '{"type":"RECORD","stream":"t","record":{"m":12345678901234567890123.123456789012,'
        '"i":123456789012345678901234567890,"f":0.30000000000000004}}\n'
    )
    schema = schema_message("t", {"m": NULLABLE_NUMBER, "i": {"type": "integer"}, "f": NULLABLE_NUMBER})
    run = target.run(lines(schema) + text)
    assert run.returncode == 0, run.stderr
    assert target.pg_types("t")["i"] == "numeric"  # widened from bigint, not "integer out of range"
    assert target.query("SELECT m, i, f FROM t") == [
        (
            Decimal("12345678901234567890123.123456789012"),
            Decimal(123456789012345678901234567890),
            Decimal("0.30000000000000004"),
        )
    ]


def test_nan_and_infinity(target: PostgresBackend) -> None:
    text = (
        '{"type":"RECORD","stream":"t","record":{"n":NaN,"f":Infinity,"o":{"x":NaN,"y":-Infinity}}}\n'
        '{"type":"RECORD","stream":"t","record":{"n":-Infinity,"f":NaN,"o":null}}\n'
    )
    schema = schema_message("t", {"n": NULLABLE_NUMBER, "f": NULLABLE_NUMBER, "o": {"type": ["object", "null"]}})
    run = target.run(lines(schema) + text)
    assert run.returncode == 0, run.stderr
    rows = target.query("SELECT n::text, f::text, o::text FROM t ORDER BY n::text")
    assert rows == [("-Infinity", "NaN", None), ("NaN", "Infinity", '{"x": null, "y": null}')]


def test_deeply_nested_objects(target: PostgresBackend) -> None:
    value: dict[str, Any] = {"leaf": [1, 2.5, "x", None, True]}
    for depth in range(200):
        value = {f"level{depth}": value}
    data = lines(schema_message("t", {"o": {"type": "object"}}), record("t", {"o": value}))
    run = target.run(data)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT o FROM t") == [(value,)]


def test_json_big_integers_inside_objects(target: PostgresBackend) -> None:
    text = '{"type":"RECORD","stream":"t","record":{"o":{"id":123456789012345678901234567890}}}\n'
    run = target.run(lines(schema_message("t", {"o": {"type": "object"}})) + text)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT o->>'id' FROM t") == [("123456789012345678901234567890",)]


def test_identifiers_reserved_mixed_case_special_and_long(target: PostgresBackend) -> None:
    long_a = "a" * 70 + "_first"
    long_b = "a" * 70 + "_second"
    props = {
        "select": {"type": "integer"},
        "MixedCase": {"type": "string"},
        "mixedcase": {"type": "string"},
        'we"ird col;--': {"type": "string"},
        long_a: {"type": "integer"},
        long_b: {"type": "integer"},
        "ünïcødé": {"type": "string"},
    }
    stream = "Order" + "x" * 80
    row = {"select": 1, "MixedCase": "M", "mixedcase": "m", 'we"ird col;--': "w", long_a: 1, long_b: 2, "ünïcødé": "u"}
    data = lines(schema_message(stream, props, ["select"]), record(stream, row))
    for _ in range(2):
        run = target.run(data)
        assert run.returncode == 0, run.stderr
    [table] = target.tables()
    assert len(table.encode()) <= 63
    assert table.startswith("Order")
    columns = target.pg_types(table)
    assert len(columns) == 7
    assert all(len(c.encode()) <= 63 for c in columns)
    assert {"select", "MixedCase", "mixedcase", 'we"ird col;--', "ünïcødé"} <= set(columns)
    longs = sorted(c for c in columns if c.startswith("aaaa"))
    rows = target.query(f'SELECT "{longs[0]}", "{longs[1]}", "MixedCase", "mixedcase" FROM "{table}"')
    assert sorted(rows[0][:2]) == [1, 2]
    assert rows[0][2:] == ("M", "m")
    assert target.primary_key(table) == ["select"]


def test_large_stream_through_the_block_path(target: PostgresBackend) -> None:
    """Enough compact lines for whole 4 MB chunks to go through the Arrow path."""
    props = {
        "id": {"type": "integer"},
        "fare": NULLABLE_NUMBER,
        "flag": {"type": ["string", "null"]},
        "at": {"type": "string", "format": "date-time"},
        "ok": {"type": ["boolean", "null"]},
    }
    head = '{"type":"RECORD","stream":"trips","record":'
    body = "".join(
        head
        + json.dumps(
            {
                "id": i,
                "fare": round(i * 0.01, 2),
                "flag": "" if i % 3 else None,
                "at": "2021-01-06T01:57:45Z",
                "ok": i % 2 == 0,
            },
            separators=(",", ":"),
        )
        + "}\n"
        for i in range(60_000)
    )
    run = target.run(lines(schema_message("trips", props, ["id"])) + body)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT count(*), sum(fare), count(flag), sum(ok::int) FROM trips") == [
        (60_000, Decimal(sum(round(i * 0.01, 2) for i in range(60_000))).quantize(Decimal("0.01")), 40_000, 30_000)
    ]
