"""How far and how long trips go, from where they run and at what hour.

Distances follow the long-tailed shape of real taximeter readings (most trips a
mile or two, airport runs 10-25 miles) and durations follow traffic: slow in the
rush hours, fast at night. Fares are derived from both, so they stay plausible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .zones import AIRPORT_PICKUP_ZONES, NEWARK_AIRPORT, ZONES

_MIN_DURATION_SECONDS = 60
_MAX_DURATION_SECONDS = 3 * 3600

# Typical door-to-door speed in miles per hour for each hour of the day.
_SPEED_BY_HOUR = np.array(
    [
        17.0,
        18.0,
        19.0,
        19.0,
        19.0,
        17.0,
        14.0,
        10.0,
        9.0,
        9.0,
        10.0,
        10.5,
        10.5,
        10.5,
        10.0,
        9.5,
        8.5,
        8.5,
        9.0,
        10.0,
        12.0,
        13.0,
        14.0,
        15.5,
    ]
)
_HIGHWAY_SPEEDUP = 1.6

_IS_MANHATTAN = np.zeros(len(ZONES) + 1, dtype=bool)
_IS_MANHATTAN[[zone.location_id for zone in ZONES if zone.borough == "Manhattan"]] = True


@dataclass(frozen=True)
class TripMotion:
    distance_miles: np.ndarray
    duration_seconds: np.ndarray


def touches_manhattan(pickup_zones: np.ndarray, dropoff_zones: np.ndarray) -> np.ndarray:
    touches: np.ndarray = _IS_MANHATTAN[pickup_zones] | _IS_MANHATTAN[dropoff_zones]
    return touches


def _distances(pickup_zones: np.ndarray, dropoff_zones: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rows = pickup_zones.size
    to_airport = np.isin(pickup_zones, AIRPORT_PICKUP_ZONES) | np.isin(dropoff_zones, AIRPORT_PICKUP_ZONES)
    to_newark = (pickup_zones == NEWARK_AIRPORT) | (dropoff_zones == NEWARK_AIRPORT)
    within_outer_boroughs = ~touches_manhattan(pickup_zones, dropoff_zones)

    distance = rng.lognormal(np.log(1.7), 0.7, size=rows)
    distance = np.where(within_outer_boroughs, distance * 1.9, distance)
    distance = np.where(to_airport, rng.normal(15.0, 4.0, size=rows).clip(6.0, 30.0), distance)
    distance = np.where(to_newark, rng.normal(19.0, 3.0, size=rows).clip(12.0, 35.0), distance)
    return distance.clip(0.1, 60.0).round(2)


def sample_trip_motion(
    pickup_zones: np.ndarray,
    dropoff_zones: np.ndarray,
    pickup_hours: np.ndarray,
    rng: np.random.Generator,
) -> TripMotion:
    distance = _distances(pickup_zones, dropoff_zones, rng)
    on_highway = distance > 8.0
    speed = _SPEED_BY_HOUR[pickup_hours] * np.where(on_highway, _HIGHWAY_SPEEDUP, 1.0)
    speed = speed * rng.lognormal(0.0, 0.25, size=distance.size)
    waiting = rng.integers(20, 150, size=distance.size)
    duration = (distance / speed * 3600.0 + waiting).astype(np.int64)
    return TripMotion(distance, duration.clip(_MIN_DURATION_SECONDS, _MAX_DURATION_SECONDS))
