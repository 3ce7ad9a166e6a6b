"""A month of trips for one taxi type, shaped exactly like that month's TLC file."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pyarrow as pa

from tap_nyc_taxi.months import Month, to_month
from tap_nyc_taxi.taxi_types import FHV, FHVHV, GREEN, YELLOW, TaxiType, taxi_type_named

from .fhv_trips import generate_fhv_fields
from .fhvhv_trips import generate_fhvhv_fields
from .layouts import trip_layout
from .metered_trips import generate_metered_fields
from .random_streams import labelled_rng

FieldGenerator = Callable[[Month, int, np.random.Generator], dict[str, pa.Array]]

# One per registered taxi type, like the layouts.
_FIELDS: dict[TaxiType, FieldGenerator] = {
    YELLOW: partial(generate_metered_fields, YELLOW.name),
    GREEN: partial(generate_metered_fields, GREEN.name),
    FHV: generate_fhv_fields,
    FHVHV: generate_fhvhv_fields,
}


def generate_trip_table(taxi_type: str, month: str | Month, rows: int, seed: int) -> pa.Table:
    """Deterministic for (taxi_type, month, rows, seed), whatever else is generated alongside."""
    generate_fields = _FIELDS[taxi_type_named(taxi_type)]
    if rows < 0:
        raise ValueError(f"rows must be non-negative, got {rows}")
    month = to_month(month)
    rng = labelled_rng(seed, taxi_type, str(month))
    fields = generate_fields(month, rows, rng)
    layout = trip_layout(taxi_type, month)
    columns = [column.values(fields, rows) for column in layout]
    return pa.Table.from_arrays(columns, names=[column.name for column in layout])
