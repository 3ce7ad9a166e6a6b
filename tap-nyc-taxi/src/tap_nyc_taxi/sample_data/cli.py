"""`tap-nyc-taxi-sample`: write a TLC-shaped sample data set for tests, demos and benchmarks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from tap_nyc_taxi.months import Month, parse_month_range
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES

from .file_summary import describe_file
from .generate import DEFAULT_MONTHS, DEFAULT_ROWS_PER_MONTH, DEFAULT_SEED, generate
from .trip_files import DEFAULT_ROW_GROUP_SIZE, TRIP_FILE_FORMATS


def _months(text: str) -> list[Month]:
    try:
        return parse_month_range(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _taxi_types(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in TAXI_TYPE_NAMES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated subset of {','.join(TAXI_TYPE_NAMES)}, got {text!r}"
        )
    return list(dict.fromkeys(chosen))


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from error
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {value}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tap-nyc-taxi-sample",
        description="Write TLC-shaped trip files, the taxi zone lookup and the course-rating CSVs.",
    )
    parser.add_argument("--out", required=True, help="directory to write into (created if missing)")
    parser.add_argument("--months", type=_months, default=DEFAULT_MONTHS, help="YYYY-MM or YYYY-MM:YYYY-MM, inclusive")
    parser.add_argument("--rows-per-month", type=_at_least(0), default=DEFAULT_ROWS_PER_MONTH)
    parser.add_argument("--seed", type=_at_least(0), default=DEFAULT_SEED)
    parser.add_argument(
        "--taxi-types", type=_taxi_types, default=list(TAXI_TYPE_NAMES), help=f"e.g. {','.join(TAXI_TYPE_NAMES)}"
    )
    parser.add_argument("--format", dest="fmt", choices=TRIP_FILE_FORMATS, default="parquet")
    parser.add_argument("--row-group-size", type=_at_least(1), default=DEFAULT_ROW_GROUP_SIZE)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        generate(
            args.out,
            args.months,
            args.rows_per_month,
            args.seed,
            args.taxi_types,
            args.fmt,
            args.row_group_size,
            on_written=lambda path: print(describe_file(path), file=sys.stderr),
        )
    except OSError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
