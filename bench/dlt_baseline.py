"""dlt beside our pipe: the alternative users most often pick, in a virtualenv of its own.

The project's environment (and CI) must not carry dlt and its dependencies,
so the bench creates `.venv/bench-dlt` on first use with pinned versions
from PyPI and runs bench/dlt_load.py there as a child process, timed and
memory-measured like every other contender.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.measure import Measurement, measure

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bench-dlt"
REQUIREMENTS = ("dlt[postgres,parquet]==1.31.0", "adbc-driver-postgresql==1.13.0")


def dlt_python() -> Path:
    """The dlt virtualenv's interpreter, creating the virtualenv if it is not there yet."""
    python = VENV / "bin" / "python"
    marker = VENV / "requirements.txt"
    wanted = "\n".join(REQUIREMENTS)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
    marker.write_text(wanted)
    return python


def run_dlt(python: Path, parquet: Path, url: str, dataset: str, work: Path) -> Measurement:
    """dlt loading `parquet` into `dataset`.yellow_trips through ADBC."""
    command = [str(python), str(ROOT / "bench" / "dlt_load.py"), str(parquet), url, dataset, str(work)]
    return measure(command, env={"RUNTIME__LOG_LEVEL": "ERROR"})
