"""How fast tap-nyc-taxi turns a month of yellow trips into Singer RECORD lines.

Prints rows/s for the tap and for two baselines run in the same session on
the same generated file: a hand-written tap (pyarrow rows -> orjson per row,
the usual approach) and the floor of just decoding the parquet file.
The tap's goal is 400,000 rows/s on one core, to /dev/null.

Usage: python -m bench.tap_throughput [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import sys
from functools import partial

from bench.measure import (
    ONE_CORE,
    QUIET,
    YELLOW_MONTH_FILE,
    best_of_rounds,
    measure,
    naive_tap,
    report,
    rows_and_runs,
    tap_command,
    tap_settings,
    yellow_month,
)

DECODE_ONLY = """
import sys, pyarrow.parquet as pq
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=65536):
    pass
"""


def main() -> None:
    args = rows_and_runs(__doc__.splitlines()[0], runs=3)
    with yellow_month(args.rows) as data:
        trips = data / YELLOW_MONTH_FILE
        tap = tap_command(data / "config.json", tap_settings(data))
        best = best_of_rounds(
            args.runs,
            {
                "naive": partial(measure, naive_tap("yellow_trips", trips), cpus=ONE_CORE),
                "decode": partial(measure, [sys.executable, "-c", DECODE_ONLY, str(trips)], cpus=ONE_CORE),
                "one core": partial(measure, tap, env=QUIET, cpus=ONE_CORE),
                "all cores": partial(measure, tap, env={"LOG_LEVEL": "WARNING"}),
            },
        )
        naive, decode, one_core = best["naive"], best["decode"], best["one core"]
        print(f"{args.rows:,} yellow rows, best of {args.runs} round-robin rounds, stdout to /dev/null")
        report("baseline: naive tap (to_pylist + orjson), 1 core", args.rows, naive)
        report("floor: parquet decode only, 1 core", args.rows, decode)
        report("tap-nyc-taxi, 1 core", args.rows, one_core, naive)
        report("tap-nyc-taxi, all cores", args.rows, best["all cores"], naive)
        print(f"tap-nyc-taxi 1 core vs decode-only floor: x{decode.seconds / one_core.seconds:.2f} of its speed")


if __name__ == "__main__":
    main()
