"""Binary COPY lands every value exactly as the CSV path does, and what it
cannot encode exactly goes as CSV, for the server to parse as before."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg2.extensions
import pyarrow as pa
import pytest

from local_servers.postgres_server import PostgresServer, fresh_schema
from singer_lite_core.errors import LoadError
from target_postgres_lite import binary_copy, copy_load
from target_postgres_lite.sql import quoted
from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message

D = Decimal
COLUMNS = {
    "i": "bigint",
    "f": "double precision",
    "b": "boolean",
    "n": "numeric",
    "big": "numeric",
    "s": "text",
    "j": "jsonb",
    "ts": "timestamp with time zone",
    "d": "date",
}
# The batch as the core hands it over: decimals as Arrow decimals at the
# batch's scale, integers past 64 bits as decimals, timestamps and dates as
# the text sent.
AWKWARD = pa.table(
    {
        "i": pa.array([1, None, -(2**63), 2**63 - 1]),
        "f": pa.array([0.1, None, float("nan"), float("-inf")]),
        "b": pa.array([True, None, False, True]),
        "n": pa.array(
            [D("7.08"), None, D("-123456789012345678901234567890.12345678"), D("0.00000001")], pa.decimal128(38, 8)
        ),
        "big": pa.array([D(2**64), D(-(10**37)), None, D(10**38 - 1)], pa.decimal128(38, 0)),
        "s": pa.array(["a", None, "", "é\u2603" + "x" * 5000]),
        "j": pa.array(['{"a": [1, 2.5]}', None, '"x"', "null"]),
        "ts": pa.array(
            ["2021-01-01T00:00:00Z", None, "2021-01-01T00:00:00.123456+05:30", "0001-01-01T23:59:59.999999-01:00"]
        ),
        "d": pa.array(["2021-01-01", None, "1999-12-31", "0001-01-01"]),
    }
)


@pytest.fixture
def cur(pg_server: PostgresServer) -> Iterator[psycopg2.extensions.cursor]:
    with fresh_schema(pg_server) as schema, contextlib.closing(pg_server.connect()) as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quoted(schema)}; SET search_path TO {quoted(schema)}; SET TimeZone TO 'UTC'")
        yield cursor
        conn.rollback()


def make_table(cur: psycopg2.extensions.cursor, name: str, columns: dict[str, str]) -> str:
    cur.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    return name


def as_text(cur: psycopg2.extensions.cursor, table: str, columns: list[str]) -> list[tuple[str | None, ...]]:
    cur.execute(f"SELECT {', '.join(f'{c}::text' for c in columns)} FROM {table}")
    return cur.fetchall()


def copy_as_csv(cur: psycopg2.extensions.cursor, table: str, values: pa.Table) -> None:
    with copy_load.Slices(copy_load.csv_slices(values)) as slices:
        cur.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", slices)  # type: ignore[arg-type]


def test_awkward_values_land_through_binary_copy_as_through_csv(cur: psycopg2.extensions.cursor) -> None:
    binary = make_table(cur, "binary_copied", COLUMNS)
    assert binary_copy.prepared(AWKWARD, copy_load.native_types(cur, binary), AWKWARD.column_names) is not None
    copy_load.copy_into(cur, binary, AWKWARD.column_names, AWKWARD)
    copy_as_csv(cur, make_table(cur, "csv_copied", COLUMNS), AWKWARD)
    landed = as_text(cur, binary, AWKWARD.column_names)
    assert landed == as_text(cur, "csv_copied", AWKWARD.column_names)
    assert landed[2] == (
        "-9223372036854775808",
        "NaN",
        "false",
        "-123456789012345678901234567890.12345678",
        None,
        "",
        '"x"',
        "2020-12-31 18:30:00.123456+00",
        "1999-12-31",
    )
    assert [row[4] for row in landed] == [str(2**64), str(-(10**37)), None, str(10**38 - 1)]
    assert landed[3][7:] == ("0001-01-02 00:59:59.999999+00", "0001-01-01")


def test_slices_of_many_rows_keep_their_order(cur: psycopg2.extensions.cursor) -> None:
    rows = 3 * copy_load.COPY_SLICE_ROWS + 5
    values = pa.table(
        {
            "i": pa.array(range(rows)),
            "s": pa.array([None if i % 7 == 0 else f"row {i}" for i in range(rows)]),
            "n": pa.array([None if i % 5 == 0 else D(i) / 100 for i in range(rows)], pa.decimal128(12, 2)),
        }
    )
    table = make_table(cur, "many", {"i": "bigint", "s": "text", "n": "numeric"})
    copy_load.copy_into(cur, table, values.column_names, values)
    cur.execute("SELECT i, s, n FROM many ORDER BY i")
    assert cur.fetchall() == [
        (i, None if i % 7 == 0 else f"row {i}", None if i % 5 == 0 else D(i) / 100) for i in range(rows)
    ]


@pytest.mark.parametrize(
    ("native", "values", "landed"),
    [
        # Without an offset the server reads a timestamp in the session's time zone.
        ("timestamp with time zone", ["2021-01-01T00:00:00"], "2021-01-01 00:00:00+00"),
        # Finer than microseconds: the server rounds.
        ("timestamp with time zone", ["2021-01-01T00:00:00.1234567Z"], "2021-01-01 00:00:00.123457+00"),
        # An hour without minutes, which Arrow reads and the server refuses.
        ("timestamp with time zone", ["2021-01-01T00:00Z", "2021-01-01T00Z"], None),
        ("time without time zone", ["12:34:56.5"], "12:34:56.5"),
        # Decimal text keeps its own scale, which the server keeps too.
        ("numeric", ["12.3400"], "12.3400"),
        ("numeric", ["NaN"], "NaN"),
        ("numeric", ["1.5E-7"], "0.00000015"),
        ("numeric", ["1234567890123456789012345678901234567890.5"], "1234567890123456789012345678901234567890.5"),
        # Columns of types this target does not create are fed text.
        ("integer", [7], "7"),
        ("uuid", ["9f2b6a1e-8c55-4a61-9c3c-0d5c2b1f6e11"], "9f2b6a1e-8c55-4a61-9c3c-0d5c2b1f6e11"),
    ],
)
def test_what_binary_cannot_encode_exactly_goes_as_csv(
    cur: psycopg2.extensions.cursor, native: str, values: list[object], landed: str | None
) -> None:
    table = make_table(cur, "t", {"v": native})
    batch = pa.table({"v": pa.array(values)})
    assert binary_copy.prepared(batch, copy_load.native_types(cur, table), ["v"]) is None
    if landed is None:
        with pytest.raises(LoadError, match="invalid input syntax for type timestamp"):
            copy_load.copy_into(cur, table, ["v"], batch)
        return
    copy_load.copy_into(cur, table, ["v"], batch)
    assert as_text(cur, table, ["v"]) == [(landed,)]


def test_a_refused_binary_row_is_named(cur: psycopg2.extensions.cursor) -> None:
    table = make_table(cur, "refused", {"i": "bigint", "j": "jsonb"})
    batch = pa.table({"i": pa.array([1, 2, 3]), "j": pa.array(["{}", "[1,", "2"])})
    with pytest.raises(LoadError) as refused:
        copy_load.copy_into(cur, table, ["i", "j"], batch)
    assert refused.value.row == 1
    assert str(refused.value) == "column 'j': invalid input syntax for type json"


def test_exact_values_through_the_target(target: PostgresBackend) -> None:
    """NUL removed from text, integers past 64 bits, 38 digits and more, offsets."""
    props = {
        "s": {"type": ["string", "null"]},
        "big": {"type": "integer"},
        "n": {"type": ["number", "null"]},
        "ts": {"type": "string", "format": "date-time"},
        "o": {"type": ["object", "null"]},
        "ok": {"type": "boolean"},
    }
    rows: list[dict[str, Any]] = [
        {"s": "a\u0000b", "big": 2**70, "n": 0.1, "ts": "2021-06-01T12:00:00+02:00", "o": {"x": 1}, "ok": True},
        {"s": None, "big": -(2**63) - 1, "n": None, "ts": "2021-06-01T12:00:00.5Z", "o": None, "ok": False},
    ]
    long_number = "9" * 40 + ".25"
    text = lines(schema_message("t", props), *(record("t", r) for r in rows)) + (
        f'{{"type":"RECORD","stream":"t","record":{{"s":"","big":1,"n":{long_number},'
        '"ts":"2021-06-01T00:00:00Z","ok":true}}\n'
    )
    run = target.run(text)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT s, big, n, ts, o, ok FROM t ORDER BY big") == [
        (None, Decimal(-(2**63) - 1), None, datetime(2021, 6, 1, 12, 0, 0, 500000, UTC), None, False),
        ("", Decimal(1), Decimal(long_number), datetime(2021, 6, 1, tzinfo=UTC), None, True),
        ("ab", Decimal(2**70), Decimal("0.1"), datetime(2021, 6, 1, 10, tzinfo=UTC), {"x": 1}, True),
    ]
