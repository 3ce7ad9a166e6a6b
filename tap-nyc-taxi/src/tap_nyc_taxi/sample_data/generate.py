"""A complete sample data set: trip files for every requested month and taxi type plus the reference CSVs."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from tap_nyc_taxi.months import Month, parse_month_range, to_month
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES, taxi_type_named

from .reference_files import write_course_ratings, write_zone_lookup
from .trip_files import DEFAULT_ROW_GROUP_SIZE, TRIP_FILE_FORMATS, write_trip_file

DEFAULT_MONTHS = "2021-01:2021-03"
DEFAULT_ROWS_PER_MONTH = 10_000
DEFAULT_SEED = 42


def _months(months: str | Sequence[str | Month]) -> list[Month]:
    if isinstance(months, str):
        return parse_month_range(months)
    return [to_month(month) for month in months]


def generate(
    out_dir: str | os.PathLike[str],
    months: str | Sequence[str | Month] = DEFAULT_MONTHS,
    rows_per_month: int = DEFAULT_ROWS_PER_MONTH,
    seed: int = DEFAULT_SEED,
    taxi_types: Sequence[str] = TAXI_TYPE_NAMES,
    fmt: str = "parquet",
    row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    on_written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write everything into out_dir (created if needed) and return the paths in writing order.

    `months` is either a `YYYY-MM[:YYYY-MM]` range or a list of months;
    `on_written` hears of each file as soon as it is complete, for progress reporting.
    A month before a family's first publication (fhvhv before 2019-02) gets no file of that family.
    Arguments are checked before anything is written, so a typo never leaves a partial data set.
    """
    chosen_months = _months(months)
    unknown = [taxi_type for taxi_type in taxi_types if taxi_type not in TAXI_TYPE_NAMES]
    if unknown:
        raise ValueError(f"unknown taxi types {unknown}; expected some of {', '.join(TAXI_TYPE_NAMES)}")
    if fmt not in TRIP_FILE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(TRIP_FILE_FORMATS)}")
    if rows_per_month < 0 or row_group_size < 1:
        raise ValueError(f"need rows_per_month >= 0 and row_group_size >= 1, got {rows_per_month}, {row_group_size}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def record(*paths: Path) -> None:
        for path in paths:
            written.append(path)
            if on_written is not None:
                on_written(path)

    for taxi_type in taxi_types:
        for month in filter(taxi_type_named(taxi_type).is_published, chosen_months):
            record(write_trip_file(out, taxi_type, month, rows_per_month, seed, fmt, row_group_size))
    record(write_zone_lookup(out))
    record(*write_course_ratings(out, seed))
    return written
