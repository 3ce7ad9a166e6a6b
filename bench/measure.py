"""Timing a child process and reading its own peak memory.

Benchmarks compare processes run in the same session on the same machine, so
each figure is paired with a baseline measured moments apart. os.wait4 gives
the rusage of exactly that child (RUSAGE_CHILDREN would mix all of them).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO


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


def best_of(runs: int, *args: object, **kwargs: object) -> Measurement:
    """The fastest of a few runs: noise on a shared machine only ever adds time."""
    results = [measure(*args, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return min(results, key=lambda m: m.seconds)


def report(label: str, rows: int, result: Measurement, baseline: Measurement | None = None) -> None:
    ratio = f"  x{result.rate(rows) / baseline.rate(rows):.2f} of baseline" if baseline else ""
    print(f"{label:<48} {result.rate(rows):>12,.0f} rows/s  {result.seconds:7.2f} s  peak {result.peak_mb:6.0f} MB{ratio}")
