"""target-postgres-lite against native PostgreSQL loading, on the same rows, in one run.

Loads a generated yellow-taxi stream (default 1M rows) into a fresh schema of
a throwaway server (fsync on) and prints rows/s for the target and for the
native baseline measured moments apart, with their ratio and peak memory:
  unkeyed stream: psql \\copy of the same rows from CSV;
  keyed stream:   psql \\copy into a staging table, then INSERT ... ON CONFLICT.
The goals (issue 10) are a ratio of at least 0.8 for the append and 1.0 for
the upsert, under 300 MB peak.

Usage: python -m bench.target_postgres [--rows 1000000] [--runs 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from pathlib import Path

from bench.measure import BIN, Measurement, measure, report
from bench.pg_yellow_stream import STREAM, YellowFiles, yellow_files
from local_servers.postgres_server import PostgresServer, fresh_database, postgres_server
from singer_lite_core.target_driver.stream_schema import parse_schema_message
from target_postgres_lite.column_types import NATIVE_TYPES
from target_postgres_lite.sql import quoted


def table_ddl(files: YellowFiles, table: str, keyed: bool) -> str:
    """The table the target itself would create, so both load the same types."""
    message = {"stream": STREAM, "schema": files.schema, "key_properties": files.key_properties if keyed else []}
    schema = parse_schema_message(message, 1, number_as_float=False)
    columns = [f"{quoted(c.name)} {NATIVE_TYPES[c.type]}" for c in schema.columns]
    if keyed:
        columns.append(f"PRIMARY KEY ({', '.join(map(quoted, files.key_properties))})")
    return f"CREATE TABLE {table} ({', '.join(columns)})"


def baseline_script(files: YellowFiles, schema: str, keyed: bool) -> str:
    table = f"{quoted(schema)}.{quoted(STREAM)}"
    column_list = ", ".join(map(quoted, files.columns))
    if not keyed:
        return f"\\copy {table} ({column_list}) FROM '{files.csv_path}' WITH (FORMAT csv)\n"
    keys = ", ".join(map(quoted, files.key_properties))
    updates = ", ".join(f"{quoted(c)} = EXCLUDED.{quoted(c)}" for c in files.columns if c not in files.key_properties)
    return (
        "BEGIN;\n"
        f"CREATE TEMP TABLE stage (LIKE {table}) ON COMMIT DROP;\n"
        f"\\copy stage ({column_list}) FROM '{files.csv_path}' WITH (FORMAT csv)\n"
        f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM stage\n"
        f"  ON CONFLICT ({keys}) DO UPDATE SET {updates};\n"
        "COMMIT;\n"
    )


def fresh(server: PostgresServer, database: str, schema: str, files: YellowFiles, keyed: bool, create: bool) -> None:
    with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")
        if create:
            cur.execute(f"CREATE SCHEMA {quoted(schema)}")
            cur.execute(table_ddl(files, f"{quoted(schema)}.{quoted(STREAM)}", keyed))
        cur.execute("CHECKPOINT")


def count_rows(server: PostgresServer, database: str, schema: str) -> int:
    with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {quoted(schema)}.{quoted(STREAM)}")
        [(count,)] = cur.fetchall()
        return int(count)


def run_baseline(server: PostgresServer, database: str, files: YellowFiles, keyed: bool, work: Path) -> Measurement:
    schema = "baseline"
    fresh(server, database, schema, files, keyed, create=True)
    script = work / "baseline.sql"
    script.write_text(baseline_script(files, schema, keyed))
    result = measure([server.psql(), server.dsn_for(database), "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script)])
    assert count_rows(server, database, schema) == files.rows
    return result


def run_target(server: PostgresServer, database: str, files: YellowFiles, keyed: bool, work: Path) -> Measurement:
    schema = "target"
    fresh(server, database, schema, files, keyed, create=False)
    config = work / "config.json"
    config.write_text(json.dumps({"sqlalchemy_url": server.dsn_for(database), "default_target_schema": schema}))
    with (work / "state.out").open("wb") as state_out:
        result = measure(
            [str(BIN / "target-postgres-lite"), "--config", str(config), "--input", str(files.singer_path(keyed))],
            stdout=state_out,
            env={"LOG_LEVEL": "WARNING"},
        )
    assert count_rows(server, database, schema) == files.rows
    last_state = (work / "state.out").read_text().splitlines()[-1]
    assert json.loads(last_state) == {"bookmarks": {STREAM: {"rows": files.rows}}}, last_state
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each; the fastest counts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = yellow_files(args.rows, args.seed)
    with (
        postgres_server(fast=False) as server,
        fresh_database(server, "bench") as database,
        tempfile.TemporaryDirectory() as tmp,
    ):
        work = Path(tmp)
        for keyed in (False, True):
            label = "keyed (upsert)" if keyed else "unkeyed (append)"
            baseline = min(
                (run_baseline(server, database, files, keyed, work) for _ in range(args.runs)), key=lambda m: m.seconds
            )
            target = min(
                (run_target(server, database, files, keyed, work) for _ in range(args.runs)), key=lambda m: m.seconds
            )
            native = "psql \\copy" if not keyed else "psql \\copy + INSERT ON CONFLICT"
            report(f"{label}: {native}", files.rows, baseline)
            report(f"{label}: target-postgres-lite", files.rows, target, baseline)


if __name__ == "__main__":
    main()
