"""Column values of for-hire vehicle (FHV) trips, before the per-year file layout.

FHV files are sparse: bases rarely report the pickup zone, sometimes the
drop-off zone, and the shared-ride flag is either 1 or missing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tap_nyc_taxi.months import Month
from tap_nyc_taxi.taxi_types import FHV

from .calendar_parts import hour_of_day
from .pickup_times import sample_pickups
from .quirk_rows import allocate_quirk_rows
from .trip_motion import sample_trip_motion
from .trip_places import TRIP_ENDS

QUIRK_RATES = {"clock_reset": 0.0002, "late_upload": 0.0002}

# The base registry does not change from month to month, so it comes from a fixed
# stream rather than from the file's stream.
_BASE_REGISTRY_SEED = 2015
_BASE_COUNT = 160
_HIGHEST_BASE_NUMBER = 3400
_BASE_POPULARITY_EXPONENT = 1.1

_PICKUP_ZONE_MISSING_SHARE = 0.72
_DROPOFF_ZONE_MISSING_SHARE = 0.14
_SHARED_RIDE_SHARE = 0.02
_SAME_AFFILIATED_BASE_SHARE = 0.75
_AFFILIATED_BASE_MISSING_SHARE = 0.05


def _licensed_bases() -> pa.Array:
    registry = np.random.default_rng(_BASE_REGISTRY_SEED)
    numbers = registry.choice(np.arange(1, _HIGHEST_BASE_NUMBER), size=_BASE_COUNT, replace=False)
    return pa.array([f"B{number:05d}" for number in numbers])


_BASES = _licensed_bases()
_BASE_SHARES = 1.0 / np.arange(1, _BASE_COUNT + 1) ** _BASE_POPULARITY_EXPONENT
_BASE_SHARES /= _BASE_SHARES.sum()


def _sometimes_missing(values: np.ndarray, missing_share: float, rng: np.random.Generator) -> pa.Array:
    return pa.array(values, type=pa.float64(), mask=rng.random(values.size) < missing_share)


def _base_numbers(rows: int, rng: np.random.Generator) -> tuple[pa.Array, pa.Array]:
    dispatching = rng.choice(_BASE_COUNT, size=rows, p=_BASE_SHARES)
    other = rng.choice(_BASE_COUNT, size=rows, p=_BASE_SHARES)
    affiliated = np.where(rng.random(rows) < _SAME_AFFILIATED_BASE_SHARE, dispatching, other)
    affiliated_missing = rng.random(rows) < _AFFILIATED_BASE_MISSING_SHARE
    return _BASES.take(pa.array(dispatching)), _BASES.take(pa.array(affiliated, mask=affiliated_missing))


def generate_fhv_fields(month: Month, rows: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    quirks = allocate_quirk_rows(rows, QUIRK_RATES, rng)
    ends = TRIP_ENDS[FHV.name]
    pickup_zones = ends.pickups.sample(rows, rng)
    dropoff_zones = ends.dropoffs.sample(rows, rng)
    pickups = sample_pickups(month, rows, quirks["clock_reset"], quirks["late_upload"], rng)
    motion = sample_trip_motion(pickup_zones, dropoff_zones, hour_of_day(pickups), rng)
    dropoffs = pickups + motion.duration_seconds.astype("timedelta64[s]")
    dispatching, affiliated = _base_numbers(rows, rng)
    shared = rng.random(rows) < _SHARED_RIDE_SHARE

    return {
        "dispatching_base_num": dispatching,
        "pickup_datetime": pa.array(pickups, pa.timestamp("s")),
        "dropoff_datetime": pa.array(dropoffs, pa.timestamp("s")),
        "PULocationID": _sometimes_missing(pickup_zones, _PICKUP_ZONE_MISSING_SHARE, rng),
        "DOLocationID": _sometimes_missing(dropoff_zones, _DROPOFF_ZONE_MISSING_SHARE, rng),
        "SR_Flag": pa.array(np.ones(rows), type=pa.float64(), mask=~shared),
        "Affiliated_base_number": affiliated,
    }
