"""PostgreSQL's overwrite: the new rows go to a table aside and replace the
table's rows in one transaction that keeps the table itself (what depends on
it, its key); a table aside left by a run that died goes at the next one."""

from __future__ import annotations

import contextlib

from target_postgres_lite.loader import aside_of
from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def people(*rows: tuple[int, str]) -> str:
    return lines(schema_message("people", PROPS, ["id"]), *(record("people", {"id": i, "name": n}) for i, n in rows))


def execute(target: PostgresBackend, sql: str) -> None:
    with contextlib.closing(target.server.connect()) as conn, conn.cursor() as cur:
        cur.execute(f"SET search_path TO {target.quote(target.schema)}")
        cur.execute(sql)
        conn.commit()


def oid(target: PostgresBackend, table: str) -> int:
    return int(
        target.query("SELECT %s::regclass::oid", (f"{target.quote(target.schema)}.{target.quote(table)}",))[0][0]
    )


def test_overwrite_keeps_the_table_its_key_and_the_views_over_it(target: PostgresBackend) -> None:
    assert target.run(people((1, "a"), (2, "b"))).returncode == 0
    execute(target, 'CREATE VIEW named AS SELECT id, upper(name) AS loud FROM "people"')
    before = oid(target, "people")
    run = target.run(people((3, "c"), (4, "d"), (5, "e")), load_method="overwrite", batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, loud FROM named ORDER BY id") == [(3, "C"), (4, "D"), (5, "E")]
    assert oid(target, "people") == before
    assert target.primary_key("people") == ["id"]
    assert target.tables() == {"people", "named"}


def test_a_table_aside_left_by_a_dead_run_is_dropped_by_the_next_overwrite(target: PostgresBackend) -> None:
    assert target.run(people((1, "a"))).returncode == 0
    leftover = aside_of("people")
    execute(
        target, f"CREATE TABLE {target.quote(leftover)} (junk text); INSERT INTO {target.quote(leftover)} VALUES ('x')"
    )
    run = target.run(people((7, "g")), load_method="overwrite")
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"]) == [(7, "g")]
    assert target.tables() == {"people"}


def test_the_name_aside_fits_postgresql_and_stays_apart_for_long_names() -> None:
    long_a, long_b = "é" * 31 + "a", "é" * 31 + "b"
    assert aside_of(long_a) != aside_of(long_b)
    assert all(len(aside_of(name).encode()) <= 63 for name in (long_a, long_b, "people"))
    assert aside_of("people").endswith("_people")
