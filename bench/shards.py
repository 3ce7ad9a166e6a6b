"""Shards side by side: the same months of yellow trips loaded into PostgreSQL by 1, 2 and 4
`tap-nyc-taxi | target-postgres-lite` pipes at once, each with its own `shard` setting.

Generates the months once (default 8 months of 200,000 rows, about ten seconds for one
pipe), then, round-robin so every figure is paired with the one-shard time measured
moments apart, empties the schema and runs the shard counts in turn against one
throwaway server (fsync on). Each figure is the wall time from the first process started
to the last one ended, as a ratio of the one-shard time, with the cores the taps and
targets kept busy (their CPU time over that wall time), the cores the whole machine kept
busy meanwhile (theirs, the server's, and any neighbour's: on a quiet machine the
difference is the server), and the peak RSS of the largest tap and target. All pipes
upsert into the same table, as shards do.

Usage: python -m bench.shards [--months 2021-01:2021-08] [--rows-per-month 200000] [--runs 2] [--shards 1,2,4]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.measure import BIN, PipeMeasurement, generate_months, measure_pipe, tap_settings
from local_servers.postgres_server import PostgresServer, fresh_database, postgres_server

SCHEMA = "shards"
TABLE = f'"{SCHEMA}"."yellow_trips"'

EXPECTED_SCALING = """\
What to expect with more machines:
- One pipe is CPU-bound in three processes: the tap encoding RECORD lines, the target decoding
  them and encoding COPY, and the server's backend parsing COPY and updating the key index.
  On this 2-core machine one shard already keeps both cores nearly busy, so more shards here only
  share the same two cores: 1.0x at best, and somewhat slower in fact, since each pipe adds
  its start-up (about a CPU second of imports for a tap and a target) and more switching.
- Shards on separate machines bring their own tap and target cores, so they scale almost
  linearly while the database keeps up. Each shard is one server backend, and the server's
  share of a row is the smaller one (binary COPY: about 1.3-1.6 CPU seconds per million
  rows, an upsert more; a tap and a target: about 7), so one server core keeps up with a
  few shards. All share the server's WAL (one writer, one fsync stream) and its disk: the
  server's cores or its WAL/fsync bandwidth, whichever runs out first, is the ingest limit,
  and past it more shards add nothing.
- BigQuery does its loads on Google's side, so shards scale with the machines running
  them; its limits are per table (load jobs a day, MERGEs that serialize and retry), so
  larger batches (batch_size_rows) matter more than more shards there.
"""


@dataclass(frozen=True)
class ShardsRun:
    seconds: float
    cpu_seconds: float
    """CPU time of the taps and targets together (the server's is not counted)."""
    machine_cpu_seconds: float
    """CPU time of every process on the machine meanwhile: ours, the server's, and any neighbour's."""
    pipes: tuple[PipeMeasurement, ...]

    @property
    def peak_tap_mb(self) -> float:
        return max(pipe.peaks_mb[0] for pipe in self.pipes)

    @property
    def peak_target_mb(self) -> float:
        return max(pipe.peaks_mb[1] for pipe in self.pipes)


def _sql(server: PostgresServer, database: str, *statements: str) -> list[tuple[object, ...]]:
    with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
        conn.autocommit = True
        for statement in statements:
            cur.execute(statement)
        return cur.fetchall() if cur.description else []


def run_shards(server: PostgresServer, database: str, data: Path, work: Path, count: int) -> ShardsRun:
    """`count` pipes at once into an empty schema; fails unless exactly every row landed once."""
    _sql(server, database, f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE', "CHECKPOINT")
    target_config = work / "target.json"
    target_config.write_text(json.dumps({"sqlalchemy_url": server.dsn_for(database), "default_target_schema": SCHEMA}))
    commands = []
    for index in range(count):
        tap_config = work / f"tap-{count}-{index}.json"
        settings = {**tap_settings(data), "shard": {"count": count, "index": index}}
        tap_config.write_text(json.dumps(settings))
        tap = [str(BIN / "tap-nyc-taxi"), "--config", str(tap_config)]
        commands.append([tap, [str(BIN / "target-postgres-lite"), "--config", str(target_config)]])
    started, before, machine_before = time.perf_counter(), os.times(), _machine_busy_seconds()
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(measure_pipe, pipe, env={"LOG_LEVEL": "WARNING"}) for pipe in commands]
        pipes = tuple(future.result() for future in futures)
    after, machine = os.times(), _machine_busy_seconds() - machine_before
    cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    return ShardsRun(time.perf_counter() - started, cpu, machine, pipes)


def _machine_busy_seconds() -> float:
    """CPU seconds every core spent busy since boot (Linux /proc/stat: all but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _check_landed(server: PostgresServer, database: str, rows: int) -> None:
    ((landed, distinct),) = _sql(
        server, database, f"SELECT count(*), count(DISTINCT (source_file, source_row)) FROM {TABLE}"
    )
    if (landed, distinct) != (rows, rows):
        raise SystemExit(f"{landed} rows ({distinct} distinct keys) landed in {TABLE}, expected {rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", default="2021-01:2021-08", help="YYYY-MM:YYYY-MM of yellow trips to load")
    parser.add_argument("--rows-per-month", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2, help="rounds of all shard counts; the fastest of each counts")
    parser.add_argument("--shards", default="1,2,4", help="shard counts to run, the first being the baseline")
    args = parser.parse_args()
    counts = [int(part) for part in args.shards.split(",")]
    rows = _month_count(args.months) * args.rows_per_month
    with (
        tempfile.TemporaryDirectory(prefix="shards-bench-") as tmp,
        postgres_server(fast=False) as server,
        fresh_database(server, "shards") as database,
    ):
        work = Path(tmp)
        data = generate_months(work / "data", args.months, args.rows_per_month)
        best: dict[int, ShardsRun] = {}
        for _ in range(args.runs):
            for count in counts:
                result = run_shards(server, database, data, work, count)
                _check_landed(server, database, rows)
                if count not in best or result.seconds < best[count].seconds:
                    best[count] = result
    _report(rows, args.months, args.runs, counts, best)


def _month_count(months: str) -> int:
    """How many months `YYYY-MM[:YYYY-MM]` spans (counted here: tap_nyc_taxi would bring numpy into
    this process, whose size every child's peak RSS starts from)."""
    first, _, last = months.partition(":")
    (first_year, first_month), (last_year, last_month) = (map(int, m.split("-")) for m in (first, last or first))
    return (last_year * 12 + last_month) - (first_year * 12 + first_month) + 1


def _report(rows: int, months: str, runs: int, counts: list[int], best: dict[int, ShardsRun]) -> None:
    cores = len(os.sched_getaffinity(0))
    print(
        f"{rows:,} yellow rows ({months}) into one PostgreSQL table (fsync on), {cores} cores,"
        f" best of {runs} round-robin rounds"
    )
    baseline = best[counts[0]]
    for count in counts:
        result = best[count]
        print(
            f"{count} shard{'s' if count > 1 else ' '} at once  {rows / result.seconds:>10,.0f} rows/s"
            f"  {result.seconds:6.2f} s  {result.seconds / baseline.seconds:5.2f}x the {counts[0]}-shard time"
            f"  (speed-up x{baseline.seconds / result.seconds:.2f})"
            f"  busy cores: taps+targets {result.cpu_seconds / result.seconds:.2f},"
            f" machine {result.machine_cpu_seconds / result.seconds:.2f}"
            f"  peak tap {result.peak_tap_mb:.0f} MB, target {result.peak_target_mb:.0f} MB"
        )
    print()
    print(EXPECTED_SCALING, end="")


if __name__ == "__main__":
    main()
