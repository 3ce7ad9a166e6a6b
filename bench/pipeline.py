"""The whole pipe, parquet file to committed table, against `\\copy` of the same rows, and dlt beside it.

Generates one month of yellow trips (default 1M rows) as the TLC publishes
it and loads it into a throwaway PostgreSQL (fsync on) four ways, round-
robin so that every figure is paired with its baseline measured moments
apart:

- `psql \\copy` of the landed rows from CSV: the database's own bulk loader;
- `tap-nyc-taxi | target-postgres-lite` on RECORD messages;
- the same with the tap's `batch_config` parquet, BATCH messages: from the
  source file to the committed table, the batch files written and read;
- dlt's parquet path (Arrow to binary COPY through the ADBC driver) on the
  same source file, in its own virtualenv (bench/dlt_baseline.py).

Goals (issue 10): the BATCH pipe at most 1.0x the \\copy time, the RECORD
pipe at most 1.3x, every process at most 300 MB peak RSS, and both pipes
ahead of dlt. Peak memory is reported per process.

Usage: python -m bench.pipeline [--rows 1000000] [--runs 2] [--batch-size 100000] [--no-dlt]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.dlt_baseline import dlt_python, run_dlt
from bench.measure import BIN, Measurement, PipeMeasurement, generate_month, measure, measure_pipe
from local_servers.postgres_server import PostgresServer, fresh_database, postgres_server

TABLE = '"pipe"."yellow_trips"'
DLT_DATASET = "dlt_pipe"
RSS_GOAL_MB = 300


def _sql(server: PostgresServer, database: str, *statements: str) -> list[tuple[object, ...]]:
    with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        return cur.fetchall() if cur.description else []


def _landed(server: PostgresServer, database: str, table: str, rows: int) -> None:
    (count,) = _sql(server, database, f"SELECT count(*) FROM {table}")
    if count[0] != rows:
        raise SystemExit(f"{count[0]} rows landed in {table}, expected {rows}")


def run_pipe(
    server: PostgresServer, database: str, data: Path, work: Path, batch_config: dict[str, object] | None = None
) -> PipeMeasurement:
    _sql(server, database, 'DROP SCHEMA IF EXISTS "pipe" CASCADE', "CHECKPOINT")
    tap_settings: dict[str, object] = {
        "source": str(data),
        "zone_lookup": str(data / "taxi_zone_lookup.csv"),
        "cache_dir": str(work / "cache"),
    }
    if batch_config is not None:
        tap_settings["batch_config"] = batch_config
    tap_config = work / "tap.json"
    tap_config.write_text(json.dumps(tap_settings))
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


def postgres_url(server: PostgresServer, database: str) -> str:
    """The server as a postgresql:// URL, which dlt's credentials want (the DSN here is key=value)."""
    params = server.params()
    user = quote(params.get("user", ""))
    password = f":{quote(params['password'])}" if params.get("password") else ""
    host, port = params.get("host", "localhost"), params.get("port", "5432")
    if host.startswith("/"):
        return f"postgresql://{user}{password}@localhost:{port}/{quote(database)}?{urlencode({'host': host})}"
    return f"postgresql://{user}{password}@{host}:{port}/{quote(database)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2, help="rounds of all contenders; the fastest of each counts")
    parser.add_argument("--batch-size", type=int, default=100_000, help="rows per batch file of the BATCH pipe")
    parser.add_argument("--no-dlt", action="store_true", help="leave dlt out (it needs PyPI for its virtualenv)")
    args = parser.parse_args()
    python = None if args.no_dlt else dlt_python()
    with (
        tempfile.TemporaryDirectory(prefix="pipe-bench-") as tmp,
        postgres_server(fast=False) as server,
        fresh_database(server, "pipe") as database,
    ):
        work = Path(tmp)
        data = generate_month(work / "data", args.rows)
        source = data / "yellow_tripdata_2021-01.parquet"
        batches = work / "batches"
        batch_config = {
            "encoding": {"format": "parquet", "compression": "none"},
            "storage": {"root": batches.as_uri()},
            "batch_size": args.batch_size,
        }

        def batch_pipe() -> PipeMeasurement:
            shutil.rmtree(batches, ignore_errors=True)
            result = run_pipe(server, database, data, work, batch_config)
            _landed(server, database, TABLE, args.rows)
            return result

        def dlt_load() -> Measurement:
            _sql(server, database, f'DROP SCHEMA IF EXISTS "{DLT_DATASET}" CASCADE', "CHECKPOINT")
            shutil.rmtree(work / "dlt", ignore_errors=True)
            assert python is not None
            result = run_dlt(python, source, postgres_url(server, database), DLT_DATASET, work / "dlt")
            _landed(server, database, f'"{DLT_DATASET}"."yellow_trips"', args.rows)
            return result

        record_runs = [run_pipe(server, database, data, work)]
        _landed(server, database, TABLE, args.rows)
        csv_path = work / "landed.csv"
        measure(
            [server.psql(), server.dsn_for(database), "-q", "-c", f"\\copy {TABLE} TO '{csv_path}' WITH (FORMAT csv)"]
        )
        copy_runs: list[Measurement] = []
        batch_runs: list[PipeMeasurement] = []
        dlt_runs: list[Measurement] = []
        for round_number in range(args.runs):
            if round_number:
                record_runs.append(run_pipe(server, database, data, work))
            copy_runs.append(run_copy(server, database, csv_path))
            batch_runs.append(batch_pipe())
            if python is not None:
                dlt_runs.append(dlt_load())
        _report(
            args.rows,
            args.runs,
            min(copy_runs, key=_seconds),
            min(record_runs, key=_seconds),
            min(batch_runs, key=_seconds),
            min(dlt_runs, key=_seconds) if dlt_runs else None,
        )


def _seconds(measurement: Measurement | PipeMeasurement) -> float:
    return measurement.seconds


def _report(
    rows: int,
    runs: int,
    copy: Measurement,
    record: PipeMeasurement,
    batch: PipeMeasurement,
    dlt: Measurement | None,
) -> None:
    print(f"{rows:,} yellow rows, parquet file -> committed table, best of {runs} round-robin rounds")

    def line(label: str, seconds: float, tail: str) -> None:
        ratio = seconds / copy.seconds
        print(f"{label:<52} {rows / seconds:>10,.0f} rows/s  {seconds:6.2f} s  {ratio:5.2f}x the \\copy time  {tail}")

    line("psql \\copy of the same rows from CSV", copy.seconds, "")
    line(
        "tap-nyc-taxi | target-postgres-lite (RECORD)",
        record.seconds,
        f"goal <= 1.3x; peak tap {record.peaks_mb[0]:.0f} MB, target {record.peaks_mb[1]:.0f} MB",
    )
    line(
        "tap-nyc-taxi (batch_config parquet) | target (BATCH)",
        batch.seconds,
        f"goal <= 1.0x; peak tap {batch.peaks_mb[0]:.0f} MB, target {batch.peaks_mb[1]:.0f} MB",
    )
    if dlt is not None:
        line("dlt, parquet through ADBC (the same source file)", dlt.seconds, f"peak {dlt.peak_mb:.0f} MB")
    peaks = [*record.peaks_mb, *batch.peaks_mb]
    print(f"peak RSS goal <= {RSS_GOAL_MB} MB per process: {'met' if max(peaks) <= RSS_GOAL_MB else 'missed'}")


if __name__ == "__main__":
    main()
