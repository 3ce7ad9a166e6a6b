"""Column values of high-volume FHV trips (Uber, Lyft, Via, Juno), before the per-year file layout.

These are the TLC's biggest files (15 to 24 million rows a month), so every
column is drawn vectorised, and text columns are taken from small arrays of
their few distinct values instead of being built row by row. What a consumer
must cope with is reproduced: on_scene_datetime is reported by Uber only,
originating_base_num is null for Lyft, Lyft leaves access_a_ride_flag blank
(a space), airport_fee is all null before 2022, cbd_congestion_fee exists
from 2025 only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tap_nyc_taxi.months import Month
from tap_nyc_taxi.taxi_types import FHV

from .calendar_parts import hour_of_day
from .pickup_times import sample_pickups
from .quirk_rows import allocate_quirk_rows
from .surcharge_dates import CBD_CONGESTION_FEE_START
from .trip_motion import touches_manhattan
from .trip_places import TRIP_ENDS
from .zones import AIRPORT_PICKUP_ZONES, NEWARK_AIRPORT

QUIRK_RATES = {"clock_reset": 0.0001, "late_upload": 0.0001}

UBER, LYFT, VIA, JUNO = "HV0003", "HV0005", "HV0004", "HV0002"


@dataclass(frozen=True)
class _Service:
    license: str
    bases: tuple[str, ...]
    originating_base: str | None
    last_month: Month | None = None
    """The last month the service ran (Juno closed in 2019, Via's HV licence ended in 2021)."""


_UBER_BASES = ("B02764", "B02765", "B02869", "B02871", "B02872", "B02875", "B02682", "B02617", "B02512")
_SERVICES = (
    _Service(UBER, _UBER_BASES, "B02764"),
    _Service(LYFT, ("B02510", "B02844"), None),
    _Service(VIA, ("B02800",), "B02800", last_month=Month(2021, 12)),
    _Service(JUNO, ("B02907", "B02914"), "B02907", last_month=Month(2019, 11)),
)
_MARKET_SHARE = {UBER: 0.72, LYFT: 0.255, VIA: 0.02, JUNO: 0.005}
_BASE_POPULARITY_EXPONENT = 1.4

# Airport access fee charged to HV trips from 2022; earlier files hold the column all null.
_AIRPORT_FEE_START = Month(2022, 1)
_AIRPORT_FEE = 2.5
_CONGESTION_SURCHARGE = 2.75
_CONGESTION_ZONE_SHARE = 0.93
_CBD_FEE = 1.5
_CBD_ZONE_SHARE = 0.8
_BLACK_CAR_FUND_RATE = 0.025
_SALES_TAX_RATE = 0.08875
_DRIVER_SHARE = 0.74
_NO_TIP_SHARE = 0.82
_TOLLED_SHARE_OF_LONG_TRIPS = 0.4
_TOLLS = np.array([6.12, 6.55, 6.94, 10.17, 13.38, 17.0])
# Shared rides (UberPool, Lyft Shared) were paused in 2020-03 and came back thinly.
_SHARED_RIDES_PAUSED = Month(2020, 3)
_SHARED_REQUEST_SHARE = (0.09, 0.01)
_SHARED_MATCH_SHARE = 0.55
_WAV_REQUEST_SHARE = 0.002
_WAV_MATCH_SHARE = 0.06
_ACCESS_A_RIDE_SHARE = 0.001
_MILES_MEDIAN, _MILES_SIGMA = 3.1, 0.85
_MIN_TRIP_SECONDS, _MAX_TRIP_SECONDS = 60, 4 * 3600


def _services_running(month: Month) -> list[_Service]:
    return [s for s in _SERVICES if s.last_month is None or month <= s.last_month]


def _pick(values: pa.Array, indices: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Values by index, in native code: 10 million Python strings would take minutes."""
    return values.take(pa.array(indices, mask=mask))


def _flag(share: float | np.ndarray, rng: np.random.Generator, rows: int) -> np.ndarray:
    chosen: np.ndarray = rng.random(rows) < share
    return chosen


_YES_NO = pa.array(["N", "Y", " "])
_NO, _YES, _BLANK = 0, 1, 2


def _flags(yes: np.ndarray) -> pa.Array:
    return _pick(_YES_NO, np.where(yes, _YES, _NO))


@dataclass(frozen=True)
class _Dispatch:
    service: np.ndarray
    """Index into the running services, per row."""
    licenses: pa.Array
    dispatching: pa.Array
    originating: pa.Array


def _dispatch(month: Month, rows: int, rng: np.random.Generator) -> tuple[list[_Service], _Dispatch]:
    services = _services_running(month)
    shares = np.array([_MARKET_SHARE[s.license] for s in services])
    service = rng.choice(len(services), size=rows, p=shares / shares.sum())
    all_bases = [base for s in services for base in s.bases]
    base = np.zeros(rows, dtype=np.int64)
    offset = 0
    for index, s in enumerate(services):
        rows_of = np.flatnonzero(service == index)
        weights = 1.0 / np.arange(1, len(s.bases) + 1) ** _BASE_POPULARITY_EXPONENT
        base[rows_of] = offset + rng.choice(len(s.bases), size=rows_of.size, p=weights / weights.sum())
        offset += len(s.bases)
    originating_bases = pa.array([s.originating_base for s in services], pa.string())
    dispatch = _Dispatch(
        service=service,
        licenses=_pick(pa.array([s.license for s in services]), service),
        dispatching=_pick(pa.array(all_bases), base),
        originating=_pick(originating_bases, service),
    )
    return services, dispatch


def _times(month: Month, rows: int, is_uber: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    quirks = allocate_quirk_rows(rows, QUIRK_RATES, rng)
    pickups = sample_pickups(month, rows, quirks["clock_reset"], quirks["late_upload"], rng)
    arrival_wait = rng.lognormal(np.log(240.0), 0.6, size=rows).astype(np.int64)
    boarding_wait = rng.integers(10, 180, size=rows)
    on_scene = pickups - boarding_wait.astype("timedelta64[s]")
    return {
        "pickup": pickups,
        "on_scene": np.where(is_uber, on_scene, np.datetime64("NaT")),
        "request": on_scene - arrival_wait.astype("timedelta64[s]"),
    }


def _trip_shape(
    pickup_zones: np.ndarray, dropoff_zones: np.ndarray, pickups: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Miles and seconds: app trips run longer than street hails, and slower in the rush hours."""
    rows = pickup_zones.size
    miles = rng.lognormal(np.log(_MILES_MEDIAN), _MILES_SIGMA, size=rows)
    airport = np.isin(pickup_zones, AIRPORT_PICKUP_ZONES) | np.isin(dropoff_zones, AIRPORT_PICKUP_ZONES)
    miles = np.where(airport, rng.normal(14.0, 4.5, size=rows).clip(5.0, 35.0), miles).clip(0.0, 120.0).round(3)
    hours = hour_of_day(pickups)
    mph = np.where((hours >= 7) & (hours < 20), 11.0, 17.0) * rng.lognormal(0.0, 0.3, size=rows)
    seconds = (miles / mph * 3600.0 + rng.integers(30, 240, size=rows)).astype(np.int64)
    return miles, seconds.clip(_MIN_TRIP_SECONDS, _MAX_TRIP_SECONDS)


def _money(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values.round(2), pa.float64(), mask=mask)


def generate_fhvhv_fields(month: Month, rows: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    services, dispatch = _dispatch(month, rows, rng)
    licenses = np.array([s.license for s in services])[dispatch.service]
    is_uber, is_lyft = licenses == UBER, licenses == LYFT
    ends = TRIP_ENDS[FHV.name]
    pickup_zones, dropoff_zones = ends.pickups.sample(rows, rng), ends.dropoffs.sample(rows, rng)
    times = _times(month, rows, is_uber, rng)
    miles, seconds = _trip_shape(pickup_zones, dropoff_zones, times["pickup"], rng)

    surge = np.where(rng.random(rows) < 0.2, rng.uniform(1.1, 2.2, size=rows), 1.0)
    fare = ((2.6 + 1.15 * miles + 0.42 * seconds / 60.0) * surge * rng.lognormal(0.0, 0.12, size=rows)).clip(7.0)
    fare = np.where(_flag(0.002, rng, rows), -fare, fare)
    long_trip = miles > 8.0
    tolls = np.where(long_trip & _flag(_TOLLED_SHARE_OF_LONG_TRIPS, rng, rows), rng.choice(_TOLLS, size=rows), 0.0)
    manhattan = touches_manhattan(pickup_zones, dropoff_zones)
    congestion = np.where(manhattan & _flag(_CONGESTION_ZONE_SHARE, rng, rows), _CONGESTION_SURCHARGE, 0.0)
    airports = (*AIRPORT_PICKUP_ZONES, NEWARK_AIRPORT)
    airport_trip = np.isin(pickup_zones, airports) | np.isin(dropoff_zones, airports)
    airport_fee = np.where(airport_trip, _AIRPORT_FEE, 0.0)
    tips = np.where(_flag(_NO_TIP_SHARE, rng, rows), 0.0, (fare * rng.uniform(0.08, 0.3, size=rows)).clip(1.0))
    driver_pay = (fare * _DRIVER_SHARE * rng.lognormal(0.0, 0.1, size=rows)).clip(0.0)

    paused = month >= _SHARED_RIDES_PAUSED
    shared_request = _flag(_SHARED_REQUEST_SHARE[paused], rng, rows)
    shared_match = shared_request & _flag(_SHARED_MATCH_SHARE, rng, rows)
    wav_request = _flag(_WAV_REQUEST_SHARE, rng, rows)
    wav_match = wav_request | (is_uber & _flag(_WAV_MATCH_SHARE, rng, rows))
    access_a_ride = np.where(is_lyft, _BLANK, np.where(_flag(_ACCESS_A_RIDE_SHARE, rng, rows), _YES, _NO))

    fields = {
        "hvfhs_license_num": dispatch.licenses,
        "dispatching_base_num": dispatch.dispatching,
        "originating_base_num": dispatch.originating,
        "request_datetime": pa.array(times["request"], pa.timestamp("s")),
        "on_scene_datetime": pa.array(times["on_scene"], pa.timestamp("s")),
        "pickup_datetime": pa.array(times["pickup"], pa.timestamp("s")),
        "dropoff_datetime": pa.array(times["pickup"] + seconds.astype("timedelta64[s]"), pa.timestamp("s")),
        "PULocationID": pa.array(pickup_zones, pa.int64()),
        "DOLocationID": pa.array(dropoff_zones, pa.int64()),
        "trip_miles": pa.array(miles, pa.float64()),
        "trip_time": pa.array(seconds, pa.int64()),
        "base_passenger_fare": _money(fare),
        "tolls": _money(tolls),
        "bcf": _money(np.abs(fare) * _BLACK_CAR_FUND_RATE),
        "sales_tax": _money(np.abs(fare) * _SALES_TAX_RATE),
        "congestion_surcharge": _money(congestion),
        "airport_fee": _money(airport_fee, mask=np.full(rows, month < _AIRPORT_FEE_START)),
        "tips": _money(tips),
        "driver_pay": _money(driver_pay),
        "shared_request_flag": _flags(shared_request),
        "shared_match_flag": _flags(shared_match),
        "access_a_ride_flag": _pick(_YES_NO, access_a_ride),
        "wav_request_flag": _flags(wav_request),
        "wav_match_flag": _flags(wav_match),
    }
    if month >= CBD_CONGESTION_FEE_START:
        fields["cbd_congestion_fee"] = _money(np.where(manhattan & _flag(_CBD_ZONE_SHARE, rng, rows), _CBD_FEE, 0.0))
    return fields
