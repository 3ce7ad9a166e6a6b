"""Target processes (one per tap shard) loading the same stream into one schema at once.

Each race is made certain rather than hoped for: the test itself holds, in a
transaction, what the targets' first write needs (a CREATE SCHEMA, CREATE
TABLE, ADD COLUMN or row of its own), waits until every target waits on it,
and rolls back, so that all of them go for the same thing at the same moment.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from local_servers.postgres_server import PostgresServer
from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_process import BIN
from tests.support.singer_text import activate_version, lines, record, schema_message, state

STREAM = "trips"
BASE = {"id": {"type": "integer"}, "fare": {"type": "integer"}}
WITH_TIP_INTEGER = {**BASE, "tip": {"type": ["integer", "null"]}}
WITH_TIP_NUMBER = {**BASE, "tip": {"type": ["number", "null"]}}
ROWS_PER_TARGET = 60
WAIT_SECONDS = 60

# The targets waiting on a lock in this test's database.
WAITING = """SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
             AND application_name = 'target-postgres-lite' AND wait_event_type = 'Lock'"""


def shard_input(shard: int, properties: dict[str, Any]) -> str:
    """Rows of keys of the shard's own, the extra column (when the schema has it) filled."""
    ids = range(shard * ROWS_PER_TARGET, (shard + 1) * ROWS_PER_TARGET)
    tip = {"tip": shard} if "tip" in properties else {}
    rows = (record(STREAM, {"id": i, "fare": i * 10, **tip}) for i in ids)
    return lines(schema_message(STREAM, properties, ["id"]), *rows, state({"shard": shard}))


def execute(server: PostgresServer, *statements: str) -> None:
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def existing_table(target: PostgresBackend, columns: str, rows: str | None = None) -> None:
    """The stream's table as the target makes it (types, key), holding `rows` (a query)."""
    statements = [
        f"CREATE SCHEMA {target.quote(target.schema)}",
        f"CREATE TABLE {table(target)} ({columns}, PRIMARY KEY (id))",
    ]
    execute(target.server, *statements, *([] if rows is None else [f"INSERT INTO {table(target)} {rows}"]))


@contextlib.contextmanager
def held(server: PostgresServer, sql: str) -> Iterator[None]:
    """`sql` run in a transaction that stays open for the block, then rolled back."""
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute(sql)
        yield
        cur.execute("ROLLBACK")


def start(pool: ThreadPoolExecutor, config: Path, text: str) -> Future[subprocess.CompletedProcess[bytes]]:
    """The target run on `text`, on a thread of the pool."""
    command = [str(BIN / "target-postgres-lite"), "--config", str(config)]
    return pool.submit(subprocess.run, command, input=text.encode(), capture_output=True, timeout=120)


def released_at_once(
    server: PostgresServer, gate: str, configs: Sequence[Path], inputs: Sequence[str]
) -> list[subprocess.CompletedProcess[bytes]]:
    """Run one target per input, all held by `gate` until every one of them waits on it."""
    with ThreadPoolExecutor(len(inputs)) as pool:
        with held(server, gate):
            runs = [start(pool, config, text) for config, text in zip(configs, inputs, strict=True)]
            wait_for(server, len(inputs), lambda: any(run.done() for run in runs))
        return [run.result() for run in runs]


def wait_for(server: PostgresServer, waiting: int, gave_up: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cur:
        while time.monotonic() < deadline and not gave_up():
            cur.execute(WAITING)
            [(count,)] = cur.fetchall()
            if count >= waiting:
                return
            time.sleep(0.05)
    pytest.fail(f"the targets never all waited on the test's lock ({waiting} expected)")


def configs(target: PostgresBackend, count: int, **settings: Any) -> list[Path]:
    paths = []
    for index in range(count):
        path = target.tmp_path / f"shard{index}.json"
        path.write_text(json.dumps(target.config(**settings)))
        paths.append(path)
    return paths


def table(target: PostgresBackend) -> str:
    return target.table(STREAM)


# What the test holds, after what it sets up first (if anything).
GATES: dict[str, Callable[[PostgresBackend], tuple[str | None, str]]] = {
    # Every target's first write creates the schema.
    "schema": lambda target: (None, f"CREATE SCHEMA {target.quote(target.schema)}"),
    # The schema exists; every target's first write creates the table.
    "table": lambda target: (
        f"CREATE SCHEMA {target.quote(target.schema)}",
        f"CREATE TABLE {table(target)} (id bigint)",
    ),
    # The table exists; two targets add the same column, as bigint and as numeric.
    "column": lambda target: (None, f"ALTER TABLE {table(target)} ADD COLUMN tip bigint"),
}


@pytest.mark.parametrize("gate", GATES)
def test_three_shards_create_the_schema_table_and_column_at_once(target: PostgresBackend, gate: str) -> None:
    before, gate_sql = GATES[gate](target)
    if before is not None:
        execute(target.server, before)
    expected = {i: i * 10 for i in range(3 * ROWS_PER_TARGET)}
    if gate == "column":
        existing_table(target, "id bigint, fare bigint", "VALUES (-1, -10)")
        expected[-1] = -10
    inputs = [shard_input(0, BASE), shard_input(1, WITH_TIP_INTEGER), shard_input(2, WITH_TIP_NUMBER)]

    runs = released_at_once(target.server, gate_sql, configs(target, 3, batch_size_rows=25), inputs)

    for shard, run in enumerate(runs):
        assert run.returncode == 0, run.stderr.decode()
        assert json.loads(run.stdout.splitlines()[-1]) == {"shard": shard}
    assert dict(target.query(f"SELECT id, fare FROM {table(target)}")) == expected
    assert target.query(f"SELECT count(*) FROM {table(target)}") == [(len(expected),)]
    assert target.pg_types(STREAM)["tip"] == "numeric"
    tips = target.query(f"SELECT tip, count(*) FROM {table(target)} GROUP BY tip ORDER BY tip")
    assert tips == [
        (Decimal(1), ROWS_PER_TARGET),
        (Decimal(2), ROWS_PER_TARGET),
        (None, len(expected) - 2 * ROWS_PER_TARGET),
    ]


KEYS = list(range(1, 201))
WRITER = {"id": {"type": "integer"}, "writer": {"type": "string"}}
# The table the target makes for WRITER, with the columns ACTIVATE_VERSION adds.
WRITER_TABLE = "id bigint, writer text, _sdc_deleted_at timestamptz, _sdc_table_version bigint"
OLD_ROWS = f"SELECT id, 'old', NULL, 1 FROM generate_series({KEYS[0]}, {KEYS[-1]}) AS id"


def writers_input(name: str, order: Sequence[int]) -> str:
    rows = (record(STREAM, {"id": i, "writer": name}) for i in order)
    return lines(schema_message(STREAM, WRITER, ["id"]), *rows, state({"writer": name}))


def opposite_writers(target: PostgresBackend, gate: str) -> list[subprocess.CompletedProcess[bytes]]:
    """Two targets writing every key, one ascending and one descending, in one
    batch each, held by `gate`; both must succeed and echo their one STATE."""
    inputs = [writers_input("up", KEYS), writers_input("down", KEYS[::-1])]
    runs = released_at_once(target.server, gate, configs(target, 2, batch_size_rows=1000), inputs)
    for run, name in zip(runs, ("up", "down"), strict=True):
        assert run.returncode == 0, run.stderr.decode()
        assert [json.loads(line) for line in run.stdout.splitlines()] == [{"writer": name}]
    assert target.query(f"SELECT count(*), count(DISTINCT id), min(id), max(id) FROM {table(target)}") == [
        (len(KEYS), len(KEYS), KEYS[0], KEYS[-1])
    ]
    return runs


def deadlocks(runs: Sequence[subprocess.CompletedProcess[bytes]]) -> int:
    return sum("deadlock detected" in run.stderr.decode() for run in runs)


def test_new_keys_copied_in_opposite_orders_deadlock_and_the_loser_is_retried(target: PostgresBackend) -> None:
    """Both COPY the same new keys in opposite orders; the test holds the middle
    key, so that each has inserted its half when the test lets go, and the two
    then wait on each other. PostgreSQL aborts one, which is retried whole."""
    existing_table(target, WRITER_TABLE)
    middle = KEYS[len(KEYS) // 2]
    runs = opposite_writers(target, f"INSERT INTO {table(target)} (id, writer) VALUES ({middle}, 'test')")
    assert deadlocks(runs) == 1
    # The retried writer committed last, upserting every key.
    assert len(target.query(f"SELECT DISTINCT writer FROM {table(target)}")) == 1


def test_upserts_of_existing_keys_in_opposite_orders_wait_instead_of_deadlocking(target: PostgresBackend) -> None:
    """Rows are merged in key order, so whichever writer comes second waits for
    the first one, which waits for the test's lock on the middle row."""
    existing_table(target, WRITER_TABLE, OLD_ROWS)
    middle = KEYS[len(KEYS) // 2]
    runs = opposite_writers(target, f"UPDATE {table(target)} SET writer = 'test' WHERE id = {middle}")
    assert deadlocks(runs) == 0
    # The second writer committed last, over every row of the first.
    [(writer, count)] = target.query(f"SELECT writer, count(*) FROM {table(target)} GROUP BY writer")
    assert (writer in ("up", "down"), count) == (True, len(KEYS))


def replacing(name: str, version: int | None) -> str:
    """Rows of keys 1-10 that replace the table's: an overwrite (no `version`), or a
    full-table sync's version, activated first (as singer-sdk's first sync does) and last."""
    if version is None:
        return writers_input(name, KEYS[:10])
    rows = (record(STREAM, {"id": i, "writer": name}, version=version) for i in KEYS[:10])
    activate = activate_version(STREAM, version)
    return lines(schema_message(STREAM, WRITER, ["id"]), activate, *rows, activate, state({"writer": name}))


@pytest.mark.parametrize("method", ["overwrite", "activate_version"])
def test_a_second_run_replacing_the_same_rows_at_once_fails_naming_the_table(
    target: PostgresBackend, method: str
) -> None:
    """The first run waits (on the test's lock on the table) holding its claim
    on the table; a second one meanwhile fails at once, and the first's rows land."""
    overwrite = method == "overwrite"
    existing_table(target, WRITER_TABLE, OLD_ROWS)
    first, second = configs(target, 2, **({"load_method": "overwrite"} if overwrite else {}))
    with ThreadPoolExecutor(2) as pool:
        with held(target.server, f"LOCK TABLE {table(target)} IN ACCESS EXCLUSIVE MODE"):
            running = start(pool, first, replacing("first", None if overwrite else 2))
            wait_for(target.server, 1, running.done)
            refused = start(pool, second, replacing("second", None if overwrite else 3)).result()
        done = running.result()
    assert done.returncode == 0, done.stderr.decode()
    assert refused.returncode != 0
    assert f"another run is replacing the rows of {table(target)}" in refused.stderr.decode().splitlines()[-1]
    live = "" if overwrite else " WHERE _sdc_deleted_at IS NULL"
    assert target.query(f"SELECT writer, count(*) FROM {table(target)}{live} GROUP BY writer") == [("first", 10)]
    assert target.tables() == {STREAM}
