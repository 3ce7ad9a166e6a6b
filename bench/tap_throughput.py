"""How fast tap-nyc-taxi turns a month of yellow trips into Singer RECORD lines.

Prints rows/s for the tap and for two baselines run in the same session on
the same generated file: a hand-written tap (pyarrow rows -> orjson per row,
the usual approach) and the floor of just decoding the parquet file.
The tap's goal is 400,000 rows/s on one core, to /dev/null.

Usage: python -m bench.tap_throughput [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from bench.measure import BIN, best_of, generate_month, report

ONE_CORE = {0}

NAIVE_TAP = """
import sys, orjson, pyarrow.parquet as pq
out = sys.stdout.buffer
head = b'{"type":"RECORD","stream":"yellow_trips","record":'
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=65536):
    for row in batch.to_pylist():
        out.write(head + orjson.dumps(row) + b"}\\n")
"""
DECODE_ONLY = """
import sys, pyarrow.parquet as pq
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=65536):
    pass
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tap-bench-") as work:
        data = generate_month(Path(work) / "data", args.rows)
        trips, zones = data / "yellow_tripdata_2021-01.parquet", data / "taxi_zone_lookup.csv"
        config = Path(work) / "config.json"
        config.write_text(json.dumps({"source": str(data), "zone_lookup": str(zones), "cache_dir": work}))
        tap = [str(BIN / "tap-nyc-taxi"), "--config", str(config)]
        quiet = {"LOG_LEVEL": "WARNING", "POLARS_MAX_THREADS": "1"}
        print(f"{args.rows:,} yellow rows, best of {args.runs}, stdout to /dev/null")
        naive = best_of(args.runs, [sys.executable, "-c", NAIVE_TAP, str(trips)], cpus=ONE_CORE)
        decode = best_of(args.runs, [sys.executable, "-c", DECODE_ONLY, str(trips)], cpus=ONE_CORE)
        one_core = best_of(args.runs, tap, env=quiet, cpus=ONE_CORE)
        all_cores = best_of(args.runs, tap, env={"LOG_LEVEL": "WARNING"})
        report("baseline: naive tap (to_pylist + orjson), 1 core", args.rows, naive)
        report("floor: parquet decode only, 1 core", args.rows, decode)
        report("tap-nyc-taxi, 1 core", args.rows, one_core, naive)
        report("tap-nyc-taxi, all cores", args.rows, all_cores, naive)
        print(f"tap-nyc-taxi 1 core vs decode-only floor: x{decode.seconds / one_core.seconds:.2f} of its speed")


if __name__ == "__main__":
    main()
