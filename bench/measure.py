"""Timing a child process and reading its own peak memory.

Benchmarks compare processes run in the same session on the same machine, so
each figure is paired with a baseline measured moments apart. os.wait4 gives
the rusage of exactly that child (RUSAGE_CHILDREN would mix all of them).
Linux carries a process's peak RSS across fork and exec, so the measuring
process must stay small: benchmarks import no data libraries and generate
their input in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# The virtualenv's console scripts: the connectors and the sample generator under test.
BIN = Path(sys.executable).parent


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


def generate_month(out: Path, rows: int) -> Path:
    """One month of yellow trips (2021-01) plus the zone lookup, written by a child process."""
    command = [
        str(BIN / "tap-nyc-taxi-sample"),
        "--out",
        str(out),
        "--months",
        "2021-01",
        "--taxi-types",
        "yellow",
        "--rows-per-month",
        str(rows),
    ]
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    return out


def best_of(runs: int, *args: object, **kwargs: object) -> Measurement:
    """The fastest of a few runs: noise on a shared machine only ever adds time."""
    results = [measure(*args, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return min(results, key=lambda m: m.seconds)


def report(label: str, rows: int, result: Measurement, baseline: Measurement | None = None) -> None:
    ratio = f"  x{result.rate(rows) / baseline.rate(rows):.2f} of baseline" if baseline else ""
    print(
        f"{label:<48} {result.rate(rows):>12,.0f} rows/s  {result.seconds:7.2f} s  peak {result.peak_mb:6.0f} MB{ratio}"
    )
