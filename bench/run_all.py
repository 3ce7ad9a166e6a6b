"""`make bench`: every benchmark, each printing its figures beside a baseline measured in the same run.

Run on a quiet machine: the figures are ratios, but a busy neighbour slows
the two-core target more than the one-core baselines.
"""

from __future__ import annotations

import subprocess
import sys

BENCHES = (
    ("tap-nyc-taxi to /dev/null", ["bench.tap_throughput"]),
    ("tap-nyc-taxi: a high-volume FHV month at 1M and 10M rows, peak memory", ["bench.tap_fhvhv"]),
    ("tap-nyc-taxi with a stream map, against singer-sdk's mapper", ["bench.tap_stream_maps"]),
    ("target-postgres-lite against \\copy and native upsert", ["bench.target_postgres"]),
    (
        "target-bigquery-lite against the client's own load job (emulator)",
        ["bench.target_bigquery", "--rows", "200000"],
    ),
    ("tap | target-postgres-lite (RECORD and BATCH) against \\copy, dlt beside it", ["bench.pipeline"]),
    ("tap | target-postgres-lite as 1, 2 and 4 shards at once, against 1 shard", ["bench.shards"]),
)


def main() -> int:
    failed = []
    for title, (module, *args) in BENCHES:
        print(f"\n== {title}: python -m {' '.join([module, *args])}", flush=True)
        if subprocess.run([sys.executable, "-m", module, *args]).returncode != 0:
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
