"""Trip files on disk, named and encoded as the TLC publishes them."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tap_nyc_taxi.months import Month, to_month
from tap_nyc_taxi.taxi_types import taxi_type_named

from .csv_output import write_csv
from .trip_tables import generate_trip_table

TRIP_FILE_FORMATS = ("parquet", "csv", "csv.gz")
DEFAULT_ROW_GROUP_SIZE = 100_000


def trip_file_name(taxi_type: str, month: str | Month, fmt: str = "parquet") -> str:
    return f"{taxi_type_named(taxi_type).file_prefix}_{to_month(month)}.{fmt}"


def _write_table(table: pa.Table, path: Path, fmt: str, row_group_size: int) -> None:
    if fmt == "parquet":
        pq.write_table(table, path, row_group_size=row_group_size)
    else:
        write_csv(table, path, quote_strings=False, gzip=fmt.endswith(".gz"))


def write_trip_file(
    out_dir: str | os.PathLike[str],
    taxi_type: str,
    month: str | Month,
    rows: int,
    seed: int,
    fmt: str = "parquet",
    row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
) -> Path:
    """Write one month's file; it appears under its final name only once complete.

    Writing to a temporary name first means a tap or HTTP server looking at the
    directory never sees a half-written file.
    """
    if fmt not in TRIP_FILE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(TRIP_FILE_FORMATS)}")
    if row_group_size < 1:
        raise ValueError(f"row_group_size must be positive, got {row_group_size}")
    table = generate_trip_table(taxi_type, month, rows, seed)
    path = Path(out_dir) / trip_file_name(taxi_type, month, fmt)
    partial = path.with_name(f".{path.name}.partial")
    _write_table(table, partial, fmt, row_group_size)
    partial.replace(path)
    return path
