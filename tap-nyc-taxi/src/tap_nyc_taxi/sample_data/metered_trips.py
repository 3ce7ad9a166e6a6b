"""Column values of yellow (TPEP) and green (LPEP) trips, before the per-year file layout.

Produces canonical Arrow arrays (int64, float64, string, timestamp[s]) carrying
the TLC's data-quality defects; the layout of the file's year then decides the
published names and types.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tap_nyc_taxi.months import Month

from .calendar_parts import hour_of_day
from .metered_charges import (
    CREDIT_CARD,
    JFK_RATE,
    NEGOTIATED_RATE,
    NEWARK_RATE,
    STANDARD_RATE,
    compute_charges,
)
from .pickup_times import sample_pickups
from .quirk_rows import allocate_quirk_rows
from .tariffs import tariff_for
from .trip_motion import TripMotion, sample_trip_motion, touches_manhattan
from .trip_places import TRIP_ENDS
from .zones import JFK_AIRPORT, NEWARK_AIRPORT

NASSAU_WESTCHESTER_RATE = 4
UNKNOWN_RATE = 99
CASH = 2
NO_CHARGE = 3
DISPUTE = 4
FLEX_FARE = 0
STREET_HAIL = 1
DISPATCH = 2
RARE_VENDOR = 6

# Share of rows carrying each defect. "unreported" rows are the app-booked trips
# the TLC publishes with null passenger_count, RatecodeID, store_and_fwd_flag and
# surcharges; their payment_type is 0 in yellow files and null in green files.
QUIRK_RATES = {
    "unreported": 0.025,
    "refund": 0.005,
    "no_passengers": 0.015,
    "no_distance": 0.01,
    "vendor_six": 0.001,
    "unknown_rate_code": 0.001,
    "odometer_glitch": 0.0001,
    "clock_reset": 0.0002,
    "late_upload": 0.0002,
}

_VENDOR_TWO_SHARE = {"yellow": 0.73, "green": 0.87}
_NEGOTIATED_SHARE = 0.004
_NASSAU_WESTCHESTER_SHARE = 0.002
_ODOMETER_GLITCH_MILES = (12_000.0, 90_000.0)
_PASSENGER_COUNTS = np.arange(1, 7)
_PASSENGER_SHARES = np.array([0.73, 0.145, 0.04, 0.025, 0.035, 0.025])
_PAYMENT_TYPES = np.array([CREDIT_CARD, CASH, NO_CHARGE, DISPUTE])
_PAYMENT_SHARES = {"yellow": np.array([0.76, 0.228, 0.008, 0.004]), "green": np.array([0.6, 0.388, 0.008, 0.004])}
_STORE_AND_FORWARD_SHARE = 0.004
_DISPATCHED_GREEN_SHARE = 0.03
_STORE_AND_FORWARD_FLAGS = pa.array(["N", "Y"])


def _nullable(values: np.ndarray, null_rows: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
    mask = np.zeros(values.size, dtype=bool)
    mask[null_rows] = True
    return pa.array(values, type=arrow_type, mask=mask)


def _rate_codes(
    pickup_zones: np.ndarray, dropoff_zones: np.ndarray, quirks: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    rows = pickup_zones.size
    manhattan = touches_manhattan(pickup_zones, dropoff_zones)
    jfk_to_manhattan = ((pickup_zones == JFK_AIRPORT) | (dropoff_zones == JFK_AIRPORT)) & manhattan
    newark = (pickup_zones == NEWARK_AIRPORT) | (dropoff_zones == NEWARK_AIRPORT)
    draw = rng.random(rows)
    negotiated = draw < _NEGOTIATED_SHARE
    nassau_westchester = (draw >= _NEGOTIATED_SHARE) & (draw < _NEGOTIATED_SHARE + _NASSAU_WESTCHESTER_SHARE)
    rate_codes = np.select(
        [jfk_to_manhattan, newark, negotiated, nassau_westchester],
        [JFK_RATE, NEWARK_RATE, NEGOTIATED_RATE, NASSAU_WESTCHESTER_RATE],
        STANDARD_RATE,
    )
    rate_codes[quirks["unknown_rate_code"]] = UNKNOWN_RATE
    return rate_codes


def _payment_types(taxi_type: str, rows: int, quirks: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    payment_types = rng.choice(_PAYMENT_TYPES, size=rows, p=_PAYMENT_SHARES[taxi_type])
    payment_types[quirks["refund"]] = rng.choice([NO_CHARGE, DISPUTE], size=quirks["refund"].size)
    payment_types[quirks["unreported"]] = FLEX_FARE
    return payment_types


def _vendor_ids(taxi_type: str, rows: int, quirks: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    vendors = np.where(rng.random(rows) < _VENDOR_TWO_SHARE[taxi_type], 2, 1)
    vendors[quirks["vendor_six"]] = RARE_VENDOR
    return vendors


def _passenger_counts(rows: int, quirks: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    passengers = rng.choice(_PASSENGER_COUNTS, size=rows, p=_PASSENGER_SHARES)
    passengers[quirks["no_passengers"]] = 0
    return passengers


def _reported_distances(motion: TripMotion, quirks: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Odometer glitches only corrupt the reported distance; the fare was metered on the real one."""
    reported = motion.distance_miles.copy()
    glitches = quirks["odometer_glitch"]
    reported[glitches] = rng.uniform(*_ODOMETER_GLITCH_MILES, size=glitches.size).round(2)
    return reported


def _trip_types(rate_codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    dispatched = (rate_codes == NEGOTIATED_RATE) | (rng.random(rate_codes.size) < _DISPATCHED_GREEN_SHARE)
    return np.where(dispatched, DISPATCH, STREET_HAIL)


def _trip_motion(
    pickup_zones: np.ndarray,
    dropoff_zones: np.ndarray,
    pickups: np.ndarray,
    quirks: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> TripMotion:
    motion = sample_trip_motion(pickup_zones, dropoff_zones, hour_of_day(pickups), rng)
    motion.distance_miles[quirks["no_distance"]] = 0.0
    return motion


def generate_metered_fields(taxi_type: str, month: Month, rows: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    quirks = allocate_quirk_rows(rows, QUIRK_RATES, rng)
    unreported = quirks["unreported"]
    ends = TRIP_ENDS[taxi_type]
    pickup_zones = ends.pickups.sample(rows, rng)
    dropoff_zones = ends.dropoffs.sample(rows, rng)
    pickups = sample_pickups(month, rows, quirks["clock_reset"], quirks["late_upload"], rng)
    motion = _trip_motion(pickup_zones, dropoff_zones, pickups, quirks, rng)
    rate_codes = _rate_codes(pickup_zones, dropoff_zones, quirks, rng)
    payment_types = _payment_types(taxi_type, rows, quirks, rng)
    # Flex-fare trips are paid in the app by card, so they are tipped like card trips.
    tippable = np.where(payment_types == FLEX_FARE, CREDIT_CARD, payment_types)
    charges = compute_charges(
        tariff_for(taxi_type, month), motion, pickups, pickup_zones, dropoff_zones, rate_codes, tippable, rng
    )
    charges = charges.without("congestion_surcharge", unreported).without("airport_fee", unreported)
    charges = charges.refunded(quirks["refund"])
    flag_index = (rng.random(rows) < _STORE_AND_FORWARD_SHARE).astype(np.int64)
    payment_nulls = unreported if taxi_type == "green" else np.array([], dtype=np.int64)
    dropoffs = pickups + motion.duration_seconds.astype("timedelta64[s]")

    return {
        "VendorID": pa.array(_vendor_ids(taxi_type, rows, quirks, rng), pa.int64()),
        "pickup_datetime": pa.array(pickups, pa.timestamp("s")),
        "dropoff_datetime": pa.array(dropoffs, pa.timestamp("s")),
        "passenger_count": _nullable(_passenger_counts(rows, quirks, rng), unreported, pa.int64()),
        "trip_distance": pa.array(_reported_distances(motion, quirks, rng), pa.float64()),
        "RatecodeID": _nullable(rate_codes, unreported, pa.int64()),
        "store_and_fwd_flag": _STORE_AND_FORWARD_FLAGS.take(_nullable(flag_index, unreported, pa.int64())),
        "PULocationID": pa.array(pickup_zones, pa.int64()),
        "DOLocationID": pa.array(dropoff_zones, pa.int64()),
        "payment_type": _nullable(payment_types, payment_nulls, pa.int64()),
        "fare_amount": pa.array(charges.fare_amount, pa.float64()),
        "extra": pa.array(charges.extra, pa.float64()),
        "mta_tax": pa.array(charges.mta_tax, pa.float64()),
        "tip_amount": pa.array(charges.tip_amount, pa.float64()),
        "tolls_amount": pa.array(charges.tolls_amount, pa.float64()),
        "improvement_surcharge": pa.array(charges.improvement_surcharge, pa.float64()),
        "total_amount": pa.array(charges.total_amount, pa.float64()),
        "congestion_surcharge": _nullable(charges.congestion_surcharge, unreported, pa.float64()),
        "airport_fee": _nullable(charges.airport_fee, unreported, pa.float64()),
        "cbd_congestion_fee": pa.array(charges.cbd_congestion_fee, pa.float64()),
        "trip_type": _nullable(_trip_types(rate_codes, rng), unreported, pa.int64()),
    }
