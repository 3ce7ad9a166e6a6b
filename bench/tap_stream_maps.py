"""What stream maps cost the tap: a filter and one computed column on a month of yellow trips.

Prints input rows/s for the unmapped tap, the same tap with the map (applied
to Arrow batches, vectorised), and a per-record Python loop through
singer-sdk's own mapper (what an SDK tap does with the same map), each on
one core. The three run in turn, `--runs` times, and the best of each is
kept, so the ratios compare one moment of the machine.

Usage: python -m bench.tap_stream_maps [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path

from bench.measure import (
    ONE_CORE,
    QUIET,
    YELLOW_MONTH_FILE,
    best_of_rounds,
    measure,
    report,
    rows_and_runs,
    tap_command,
    tap_settings,
    yellow_month,
)

MAPS = {"yellow_trips": {"__filter__": "trip_distance > 2", "fare_and_tip": "fare_amount + tip_amount"}}
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "yellow_trips.json"

SDK_LOOP = """
import json, logging, sys
import orjson, pyarrow.parquet as pq
from singer_sdk.mapper import PluginMapper
trips, schema, maps = sys.argv[1], json.load(open(sys.argv[2])), json.loads(sys.argv[3])
mapper = PluginMapper({"stream_maps": maps}, logging.getLogger("sdk"))
mapper.register_raw_stream_schema("yellow_trips", schema, [])
[stream_map] = mapper.stream_maps["yellow_trips"]
out = sys.stdout.buffer
head = b'{"type":"RECORD","stream":"yellow_trips","record":'
for batch in pq.ParquetFile(trips).iter_batches(batch_size=65536):
    for row in batch.to_pylist():
        mapped = stream_map.transform(row)
        if mapped is not None:
            out.write(head + orjson.dumps(mapped) + b"}\\n")
"""


def main() -> None:
    args = rows_and_runs(__doc__.splitlines()[0], runs=3)
    with yellow_month(args.rows) as data:
        unmapped = tap_command(data / "unmapped.json", tap_settings(data))
        mapped = tap_command(data / "mapped.json", {**tap_settings(data), "stream_maps": MAPS})
        sdk = [sys.executable, "-c", SDK_LOOP, str(data / YELLOW_MONTH_FILE), str(SCHEMA), json.dumps(MAPS)]
        best = best_of_rounds(
            args.runs,
            {
                "sdk": partial(measure, sdk, env=QUIET, cpus=ONE_CORE),
                "unmapped": partial(measure, unmapped, env=QUIET, cpus=ONE_CORE),
                "mapped": partial(measure, mapped, env=QUIET, cpus=ONE_CORE),
            },
        )
        print(f"{args.rows:,} yellow rows, map {json.dumps(MAPS)}, best of {args.runs}, 1 core, stdout to /dev/null")
        report("baseline: singer-sdk mapper, per record", args.rows, best["sdk"])
        report("tap-nyc-taxi, no stream maps", args.rows, best["unmapped"], best["sdk"])
        report("tap-nyc-taxi, with the stream map", args.rows, best["mapped"], best["sdk"])
        print(
            f"stream map cost: the mapped tap runs at x{best['unmapped'].seconds / best['mapped'].seconds:.2f} "
            "of the unmapped tap's speed"
        )


if __name__ == "__main__":
    main()
