"""target-bigquery-lite against the client's own Parquet load, on the same rows, in one run.

Loads a generated yellow-taxi stream (default 200k rows; the emulator is
slow) into fresh datasets of a local BigQuery emulator and prints rows/s for
the target and for the native baseline measured moments apart, with their
ratio and each process's peak memory:
  unkeyed stream: load_table_from_file of the same rows as one Parquet file;
  keyed stream:   the same load into a staging table, then one MERGE.
The baseline runs as a child process too, so both pay interpreter and
client start-up; its Parquet file is written before the clock starts.

Linux keeps a process's peak RSS across exec, so a child reports at least
what its parent held when forking it. This process therefore never imports
pyarrow or the BigQuery client: every API call runs in a child
(bench/bigquery_jobs.py), and so does writing the Parquet file (bench/bigquery_parquet.py).

Usage: python -m bench.target_bigquery [--rows 200000] [--runs 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import BIN, Measurement, measure, report
from bench.pg_yellow_stream import STREAM, YellowFiles, yellow_files
from local_servers.bigquery_emulator import BigQueryEmulator


def job_command(job: str, *args: Any) -> list[str]:
    """One job of bench/bigquery_jobs.py, run by name with its arguments as JSON."""
    return [sys.executable, "-m", "bench.bigquery_jobs", job, json.dumps(args)]


def call_job(job: str, *args: Any) -> str:
    return subprocess.run(job_command(job, *args), check=True, capture_output=True, text=True).stdout


def run_baseline(emulator: BigQueryEmulator, files: YellowFiles, keyed: bool, parquet: Path) -> Measurement:
    dataset = f"baseline_{'keyed' if keyed else 'unkeyed'}"
    where = (emulator.endpoint, emulator.project, dataset)
    call_job("fresh", *where, True)
    result = measure(job_command("native_load", *where, str(parquet), files.key_properties if keyed else []))
    landed = int(call_job("count", *where))
    assert landed == files.rows, f"baseline loaded {landed} rows of {files.rows}"
    return result


def run_target(emulator: BigQueryEmulator, files: YellowFiles, keyed: bool, work: Path) -> Measurement:
    dataset = f"target_{'keyed' if keyed else 'unkeyed'}"
    where = (emulator.endpoint, emulator.project, dataset)
    call_job("fresh", *where, False)
    config = work / "config.json"
    config.write_text(json.dumps({"project": emulator.project, "dataset": dataset, "api_endpoint": emulator.endpoint}))
    with (work / "state.out").open("wb") as state_out:
        result = measure(
            [str(BIN / "target-bigquery-lite"), "--config", str(config), "--input", str(files.singer_path(keyed))],
            stdout=state_out,
            env={"LOG_LEVEL": "WARNING"},
        )
    assert int(call_job("count", *where)) == files.rows
    last_state = (work / "state.out").read_text().splitlines()[-1]
    assert json.loads(last_state) == {"bookmarks": {STREAM: {"rows": files.rows}}}, last_state
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each; the fastest counts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = yellow_files(args.rows, args.seed)
    with BigQueryEmulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parquet = work / "baseline.parquet"
        subprocess.run([sys.executable, "-m", "bench.bigquery_parquet", str(files.csv_path), str(parquet)], check=True)
        for keyed in (False, True):
            label = "keyed (upsert)" if keyed else "unkeyed (append)"
            baseline = min(
                (run_baseline(emulator, files, keyed, parquet) for _ in range(args.runs)), key=lambda m: m.seconds
            )
            target = min((run_target(emulator, files, keyed, work) for _ in range(args.runs)), key=lambda m: m.seconds)
            native = "load_table_from_file" if not keyed else "load_table_from_file + MERGE"
            report(f"{label}: {native}", files.rows, baseline)
            report(f"{label}: target-bigquery-lite", files.rows, target, baseline)


if __name__ == "__main__":
    main()
