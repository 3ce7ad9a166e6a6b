"""Timing a child process and reading its own peak memory.

Benchmarks compare processes run in the same session on the same machine, so
each figure is paired with a baseline measured moments apart. os.wait4 gives
the rusage of exactly that child (RUSAGE_CHILDREN would mix all of them).
Linux carries a process's peak RSS across fork and exec, so the measuring
process must stay small: benchmarks import no data libraries and generate
their input in a child process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# The virtualenv's console scripts: the connectors and the sample generator under test.
BIN = Path(sys.executable).parent
ONE_CORE = {0}
"""The core a one-core figure is pinned to: the speed goals are per core."""
QUIET = {"LOG_LEVEL": "WARNING", "POLARS_MAX_THREADS": "1"}
"""A connector's environment for a one-core figure: no INFO lines, one polars thread."""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float

    def rate(self, rows: int) -> float:
        return rows / self.seconds


def measure(
    command: Sequence[str],
    *,
    stdin: IO[bytes] | int | None = None,
    stdout: IO[bytes] | int | None = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    cpus: set[int] | None = None,
) -> Measurement:
    """Run `command` to completion; fail loudly if it fails, since a failed run times nothing."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdin=stdin,
        stdout=stdout,
        env={**os.environ, **(env or {})},
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"benchmark command failed with exit code {process.returncode}: {' '.join(command)}")
    return Measurement(elapsed, usage.ru_maxrss / 1024)


@dataclass(frozen=True)
class PipeMeasurement:
    seconds: float
    peaks_mb: tuple[float, ...]

    def rate(self, rows: int) -> float:
        return rows / self.seconds


def measure_pipe(
    commands: Sequence[Sequence[str]],
    *,
    stdout: IO[bytes] | int | None = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
) -> PipeMeasurement:
    """Run `a | b | ...` as the shell would, with each process's own peak memory."""
    started = time.perf_counter()
    processes: list[subprocess.Popen[bytes]] = []
    upstream = None
    for index, command in enumerate(commands):
        last = index == len(commands) - 1
        process = subprocess.Popen(
            list(command),
            stdin=upstream,
            stdout=stdout if last else subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        if upstream is not None:
            upstream.close()
        upstream = process.stdout
        processes.append(process)
    peaks = []
    for process in processes:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peaks.append(usage.ru_maxrss / 1024)
    elapsed = time.perf_counter() - started
    failed = [p.args for p in processes if p.returncode != 0]
    if failed:
        raise SystemExit(f"benchmark pipeline failed: {failed}")
    return PipeMeasurement(elapsed, tuple(peaks))


YELLOW_MONTH_FILE = "yellow_tripdata_2021-01.parquet"
"""The trip file `generate_month` writes."""


def generate_month(out: Path, rows: int) -> Path:
    """One month of yellow trips (2021-01) plus the zone lookup, written by a child process."""
    return generate_months(out, "2021-01", rows)


def generate_months(out: Path, months: str, rows_per_month: int) -> Path:
    """Yellow trips of `months` (YYYY-MM or YYYY-MM:YYYY-MM) plus the zone lookup, written by a child process."""
    command = [
        str(BIN / "tap-nyc-taxi-sample"),
        "--out",
        str(out),
        "--months",
        months,
        "--taxi-types",
        "yellow",
        "--rows-per-month",
        str(rows_per_month),
    ]
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    return out


NAIVE_TAP = """
import sys, orjson, pyarrow.parquet as pq
out = sys.stdout.buffer
head = b'{"type":"RECORD","stream":"%s","record":'
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=65536):
    for row in batch.to_pylist():
        out.write(head + orjson.dumps(row, default=str) + b"}\\n")
"""


def naive_tap(stream: str, trips: Path) -> list[str]:
    """The usual hand-written tap (pyarrow rows -> orjson per row) as a command: the tap's baseline."""
    return [sys.executable, "-c", NAIVE_TAP % stream, str(trips)]


@contextlib.contextmanager
def yellow_month(rows: int) -> Iterator[Path]:
    """A folder holding a generated month of yellow trips (`YELLOW_MONTH_FILE`), deleted after the block."""
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        yield generate_month(Path(work) / "data", rows)


def rows_and_runs(description: str, runs: int) -> argparse.Namespace:
    """The command line of a bench on one generated month: its size and how many rounds to run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=runs)
    return parser.parse_args()


def tap_settings(data: Path) -> dict[str, object]:
    """tap-nyc-taxi's settings for a month folder the sample generator wrote (trip files and zone lookup)."""
    return {"source": str(data), "zone_lookup": str(data / "taxi_zone_lookup.csv"), "cache_dir": str(data / "cache")}


def tap_command(config: Path, settings: Mapping[str, object]) -> list[str]:
    """tap-nyc-taxi run with `settings`, which are written to `config`."""
    config.write_text(json.dumps(settings))
    return [str(BIN / "tap-nyc-taxi"), "--config", str(config)]


def best_of_rounds(runs: int, contenders: Mapping[str, Callable[[], Measurement]]) -> dict[str, Measurement]:
    """Each contender's fastest run over `runs` rounds of all of them in turn.

    Round-robin pairs every figure with its baseline measured moments apart,
    and the fastest counts because noise on a shared machine only adds time.
    """
    best: dict[str, Measurement] = {}
    for _ in range(runs):
        for name, contender in contenders.items():
            result = contender()
            if name not in best or result.seconds < best[name].seconds:
                best[name] = result
    return best


def report(label: str, rows: int, result: Measurement, baseline: Measurement | None = None) -> None:
    ratio = f"  x{result.rate(rows) / baseline.rate(rows):.2f} of baseline" if baseline else ""
    print(
        f"{label:<48} {result.rate(rows):>12,.0f} rows/s  {result.seconds:7.2f} s  peak {result.peak_mb:6.0f} MB{ratio}"
    )
