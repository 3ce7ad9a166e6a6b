"""`make demo`: generate (or point at) TLC data, load it into PostgreSQL, report from the warehouse.

After the load it rebuilds the case study's course recommendations in the
warehouse (demo/recommendations.py); the report shows those of a few users.

Usage: python -m demo [--months 2021-01:2021-03] [--rows-per-month N]
                      [--source DIR_OR_URL --start-month YYYY-MM --end-month YYYY-MM] [--stop]

Everything it keeps is under .demo/ (DEMO_DIR elsewhere). Whatever goes
wrong ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from demo.pipeline import Progress, run_pipeline
from demo.recommendations import refresh_recommendations
from demo.report import print_report
from demo.warehouse import Warehouse, WarehouseUnavailable, open_warehouse, stop_local
from tap_nyc_taxi.months import parse_month_range
from tap_nyc_taxi.sample_data import trip_file_name, write_course_ratings, write_trip_file, write_zone_lookup
from tap_nyc_taxi.streams import TRIP_STREAMS, all_streams
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES

ROOT = Path(__file__).resolve().parents[1]
DEMO = Path(os.environ.get("DEMO_DIR") or ROOT / ".demo").resolve()
BIN = Path(sys.executable).parent
SCHEMA = "nyc_taxi"
TAXI_TYPES = TAXI_TYPE_NAMES
STREAMS = tuple(all_streams())
SEED = 2021
# The case study's missing-language fill, as a singer-sdk stream map: a course
# without a programming_language is an R course, spelt "r" as the data set spells it.
STREAM_MAPS = {"courses": {"programming_language": "programming_language or 'r'"}}


def main() -> int:
    args = _arguments()
    try:
        return _stop() if args.stop else _run(args)
    except WarehouseUnavailable as unavailable:
        print(f"make demo: error: {unavailable}", file=sys.stderr)
    except KeyboardInterrupt:
        print("make demo: interrupted", file=sys.stderr)
        return 130
    except Exception as unexpected:  # noqa: BLE001 - the promise is one line, whatever broke; the log keeps the rest
        print(f"make demo: error: {type(unexpected).__name__}: {unexpected}{_keep_traceback()}", file=sys.stderr)
    return 1


def _keep_traceback() -> str:
    """Write the traceback of the error being handled to a log; say where, if that worked."""
    log = DEMO / "logs" / "demo-error.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc())
    except OSError:
        return ""
    return f" (details in {log})"


def _stop() -> int:
    print(
        "stopped the demo's PostgreSQL server" if stop_local(DEMO) else "the demo's PostgreSQL server was not running"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    warehouse = open_warehouse(DEMO)
    print(f"warehouse: {_where(warehouse)}, schema {SCHEMA}")
    data = DEMO / "data"
    _generate_missing(data, args.months, args.rows_per_month)
    tap_config = _write_private(DEMO / "tap.json", _tap_config(args, data))
    target_config = _write_private(DEMO / "target.json", warehouse.target_config(SCHEMA))
    state = DEMO / "state.json"
    tap = [str(BIN / "tap-nyc-taxi"), "--config", str(tap_config)]
    if state.exists():
        print(f"incremental run: resuming from {state}; files loaded before are skipped")
        tap += ["--state", str(state)]
    else:
        print("first run: loading everything")
    target = [str(BIN / "target-postgres-lite"), "--config", str(target_config)]
    result = run_pipeline(tap, target, state, DEMO / "logs", Progress(STREAMS))
    if not result.ok:
        for name in ("tap", "target"):
            log = (DEMO / "logs" / f"{name}.log").read_text().splitlines()
            print(
                f"\n{name} (exit code {getattr(result, name + '_code')}), last log lines:",
                *log[-5:],
                sep="\n  ",
                file=sys.stderr,
            )
        return 1
    trips = sum(result.records[TRIP_STREAMS[t]] for t in TAXI_TYPES)
    if state.exists() and trips == 0:
        print("no new trip files since the last run: nothing new to load")
    rebuilt = refresh_recommendations(warehouse.dsn, SCHEMA)
    print(f"recommendations: {rebuilt:,} rows rebuilt in {SCHEMA}.recommendations")
    print_report(warehouse.dsn, SCHEMA, TAXI_TYPES)
    print("\nlook around:")
    print(warehouse.how_to_connect())
    return 0


def _where(warehouse: Warehouse) -> str:
    if warehouse.local:
        return f"the demo's PostgreSQL under {DEMO}, port {warehouse.port}"
    return "your PostgreSQL"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.splitlines()[0])
    parser.add_argument("--months", default=os.environ.get("DEMO_MONTHS", "2021-01:2021-03"))
    parser.add_argument("--rows-per-month", type=int, default=int(os.environ.get("DEMO_ROWS_PER_MONTH", "200000")))
    parser.add_argument(
        "--source", default=os.environ.get("DEMO_SOURCE"), help="real TLC files: a directory or the TLC's trip-data URL"
    )
    parser.add_argument("--start-month", default=os.environ.get("DEMO_START_MONTH"))
    parser.add_argument("--end-month", default=os.environ.get("DEMO_END_MONTH"))
    parser.add_argument("--stop", action="store_true", help="stop the local PostgreSQL server and exit")
    return parser.parse_args()


def _generate_missing(data: Path, months: str, rows: int) -> None:
    """Write the sample months once; later runs reuse them, as a data lake would."""
    data.mkdir(parents=True, exist_ok=True)
    for month in parse_month_range(months):
        for taxi_type in TAXI_TYPES:
            if not (data / trip_file_name(taxi_type, month)).exists():
                print(f"generating {trip_file_name(taxi_type, month)} ({rows:,} trips)")
                write_trip_file(data, taxi_type, month, rows, SEED)
    if not (data / "taxi_zone_lookup.csv").exists():
        write_zone_lookup(data)
    if not (data / "ratings.csv").exists():
        write_course_ratings(data, SEED)


def _tap_config(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    config: dict[str, Any] = {
        "source": args.source or str(data),
        "taxi_types": list(TAXI_TYPES),
        "courses": str(data / "courses.csv"),
        "ratings": str(data / "ratings.csv"),
        "cache_dir": str(DEMO / "cache"),
        "stream_maps": STREAM_MAPS,
    }
    if not args.source or not args.source.startswith(("http://", "https://")):
        config["zone_lookup"] = str(data / "taxi_zone_lookup.csv")
    for name in ("start_month", "end_month"):
        if getattr(args, name):
            config[name] = getattr(args, name)
    return config


def _write_private(path: Path, config: dict[str, Any]) -> Path:
    """Config files may hold a password: readable by the user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(config, handle, indent=2)
    return path


if __name__ == "__main__":
    sys.exit(main())
