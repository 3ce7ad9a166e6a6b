"""`make bench`: every benchmark, each printing its figures beside a baseline measured in the same run.

Run on a quiet machine: the figures are ratios, but a busy neighbour slows
the two-core target more than the one-core baselines.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = (
    ("tap-nyc-taxi to /dev/null", ["tap_throughput.py"]),
    ("target-postgres-lite against \\copy and native upsert", ["target_postgres.py"]),
    ("target-bigquery-lite against the client's own load job (emulator)", ["target_bigquery.py", "--rows", "200000"]),
    ("tap | target-postgres-lite against \\copy", ["pipeline.py"]),
)


def main() -> int:
    failed = []
    for title, (script, *args) in BENCHES:
        print(f"\n== {title}: python bench/{script} {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script), *args]).returncode != 0:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
