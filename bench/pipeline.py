"""The whole pipe, parquet file to committed table, against `\\copy` of the same rows.

Generates one month of yellow trips (default 1M rows) as the TLC publishes
it, loads it with `tap-nyc-taxi | target-postgres-lite` into a throwaway
PostgreSQL (fsync on), exports exactly the rows that landed to CSV, and
times `psql \\copy` of that CSV into an empty copy of the table. The goal is
a pipe in at most 2x the \\copy time. Peak memory is reported per process.

Usage: python -m bench.pipeline [--rows 1000000] [--runs 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from pathlib import Path

from bench.measure import BIN, Measurement, PipeMeasurement, generate_month, measure, measure_pipe
from local_servers.postgres_server import PostgresServer, fresh_database, postgres_server

TABLE = '"pipe"."yellow_trips"'


def _sql(server: PostgresServer, database: str, *statements: str) -> list[tuple[object, ...]]:
    with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        return cur.fetchall() if cur.description else []


def run_pipe(server: PostgresServer, database: str, data: Path, work: Path) -> PipeMeasurement:
    _sql(server, database, 'DROP SCHEMA IF EXISTS "pipe" CASCADE', "CHECKPOINT")
    tap_config = work / "tap.json"
    tap_config.write_text(
        json.dumps({"source": str(data), "zone_lookup": str(data / "taxi_zone_lookup.csv"), "cache_dir": str(work)})
    )
    target_config = work / "target.json"
    target_config.write_text(json.dumps({"sqlalchemy_url": server.dsn_for(database), "default_target_schema": "pipe"}))
    return measure_pipe(
        [
            [str(BIN / "tap-nyc-taxi"), "--config", str(tap_config)],
            [str(BIN / "target-postgres-lite"), "--config", str(target_config)],
        ],
        env={"LOG_LEVEL": "WARNING"},
    )


def run_copy(server: PostgresServer, database: str, csv_path: Path) -> Measurement:
    _sql(
        server,
        database,
        'DROP TABLE IF EXISTS "pipe"."baseline"',
        f'CREATE TABLE "pipe"."baseline" (LIKE {TABLE} INCLUDING ALL)',
        "CHECKPOINT",
    )
    return measure(
        [
            server.psql(),
            server.dsn_for(database),
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f'\\copy "pipe"."baseline" FROM \'{csv_path}\' WITH (FORMAT csv)',
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each; the fastest counts")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="pipe-bench-") as tmp,
        postgres_server(fast=False) as server,
        fresh_database(server, "pipe") as database,
    ):
        work = Path(tmp)
        data = generate_month(work / "data", args.rows)
        pipe = min((run_pipe(server, database, data, work) for _ in range(args.runs)), key=lambda m: m.seconds)
        (landed,) = _sql(server, database, f"SELECT count(*) FROM {TABLE}")
        assert landed[0] == args.rows, f"{landed[0]} rows landed, expected {args.rows}"
        csv_path = work / "landed.csv"
        measure(
            [server.psql(), server.dsn_for(database), "-q", "-c", f"\\copy {TABLE} TO '{csv_path}' WITH (FORMAT csv)"]
        )
        copy = min((run_copy(server, database, csv_path) for _ in range(args.runs)), key=lambda m: m.seconds)
        print(f"{args.rows:,} yellow rows, parquet file -> committed table, best of {args.runs}")
        native, pipeline = "psql \\copy of the same rows from CSV", "tap-nyc-taxi | target-postgres-lite"
        print(f"{native:<44} {copy.rate(args.rows):>10,.0f} rows/s  {copy.seconds:6.2f} s")
        print(
            f"{pipeline:<44} {pipe.rate(args.rows):>10,.0f} rows/s  {pipe.seconds:6.2f} s"
            f"  = {pipe.seconds / copy.seconds:.2f}x the \\copy time (goal <= 2x);"
            f" peak tap {pipe.peaks_mb[0]:.0f} MB, target {pipe.peaks_mb[1]:.0f} MB"
        )


if __name__ == "__main__":
    main()
