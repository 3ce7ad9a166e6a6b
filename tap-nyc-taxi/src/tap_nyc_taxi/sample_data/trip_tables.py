"""A month of trips for one taxi type, shaped exactly like that month's TLC file."""

from __future__ import annotations

import pyarrow as pa

from tap_nyc_taxi.months import Month, to_month

from .fhv_trips import generate_fhv_fields
from .layouts import TAXI_TYPES, trip_layout
from .metered_trips import generate_metered_fields
from .random_streams import labelled_rng


def generate_trip_table(taxi_type: str, month: str | Month, rows: int, seed: int) -> pa.Table:
    """Deterministic for (taxi_type, month, rows, seed), whatever else is generated alongside."""
    if taxi_type not in TAXI_TYPES:
        raise ValueError(f"unknown taxi type {taxi_type!r}; expected one of {', '.join(TAXI_TYPES)}")
    if rows < 0:
        raise ValueError(f"rows must be non-negative, got {rows}")
    month = to_month(month)
    rng = labelled_rng(seed, taxi_type, str(month))
    if taxi_type == "fhv":
        fields = generate_fhv_fields(month, rows, rng)
    else:
        fields = generate_metered_fields(taxi_type, month, rows, rng)
    layout = trip_layout(taxi_type, month)
    columns = [
        pa.nulls(rows) if pa.types.is_null(column.type) else fields[column.field].cast(column.type) for column in layout
    ]
    return pa.Table.from_arrays(columns, names=[column.name for column in layout])
