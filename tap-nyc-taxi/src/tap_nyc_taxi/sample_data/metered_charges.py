"""The money columns of a metered (yellow or green) trip, computed from the tariff.

Every component is rounded to cents and total_amount is the cent-rounded sum of
the components, as on a real taximeter receipt, so consumers can reconcile them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .calendar_parts import hour_of_day, weekday_of
from .tariffs import Tariff
from .trip_motion import TripMotion, touches_manhattan
from .zones import AIRPORT_PICKUP_ZONES, NEWARK_AIRPORT

STANDARD_RATE = 1
JFK_RATE = 2
NEWARK_RATE = 3
NEGOTIATED_RATE = 5

CREDIT_CARD = 1

_SLOW_TRAFFIC_MINUTES_PER_MILE = 5.0  # below 12 mph the meter charges by time
_CONGESTION_ZONE_SHARE = 0.93  # Manhattan trips that enter the zone south of 96th Street
_CBD_ZONE_SHARE = 0.8  # Manhattan trips that enter the zone south of 60th Street
_TOLLED_SHARE_OF_LONG_TRIPS = 0.55
_LONG_TRIP_MILES = 8.0
_NO_TIP_SHARE = 0.15
_TIP_BUTTON_RATES = np.array([0.2, 0.25, 0.3])
_TIP_BUTTON_SHARE = 0.6


@dataclass(frozen=True)
class Charges:
    fare_amount: np.ndarray
    extra: np.ndarray
    mta_tax: np.ndarray
    tip_amount: np.ndarray
    tolls_amount: np.ndarray
    improvement_surcharge: np.ndarray
    congestion_surcharge: np.ndarray
    airport_fee: np.ndarray
    cbd_congestion_fee: np.ndarray

    @property
    def total_amount(self) -> np.ndarray:
        total: np.ndarray = np.sum([getattr(self, name) for name in _COMPONENTS], axis=0).round(2)
        return total

    def refunded(self, rows: np.ndarray) -> Charges:
        """Refunds and disputes are published as the same trip with every amount negated."""
        negated: dict[str, np.ndarray] = {}
        for name in _COMPONENTS:
            amounts = getattr(self, name).copy()
            amounts[rows] = 0.0 - amounts[rows]
            negated[name] = amounts
        return Charges(**negated)

    def without(self, name: str, rows: np.ndarray) -> Charges:
        """Drop a component on rows where the file will publish it as null, keeping the total consistent."""
        amounts = getattr(self, name).copy()
        amounts[rows] = 0.0
        return replace(self, **{name: amounts})


_COMPONENTS = tuple(field.name for field in fields(Charges))


def _fares(tariff: Tariff, motion: TripMotion, rate_codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    minutes = motion.duration_seconds / 60.0
    slow_minutes = np.maximum(0.0, minutes - motion.distance_miles * _SLOW_TRAFFIC_MINUTES_PER_MILE)
    metered = tariff.flag_drop + tariff.per_mile * motion.distance_miles + tariff.per_slow_minute * slow_minutes
    fare = np.round(metered / tariff.fare_increment) * tariff.fare_increment
    fare = np.where(rate_codes == JFK_RATE, tariff.jfk_flat_fare, fare)
    fare = np.where(rate_codes == NEWARK_RATE, fare + tariff.newark_surcharge, fare)
    negotiated = rng.integers(15, 150, size=fare.size).astype(np.float64)
    return np.where(rate_codes == NEGOTIATED_RATE, negotiated, fare).round(2)


def _time_of_day_extras(tariff: Tariff, pickup_times: np.ndarray) -> np.ndarray:
    hour = hour_of_day(pickup_times)
    weekday_rush = (weekday_of(pickup_times) < 5) & (hour >= 16) & (hour < 20)
    overnight = (hour >= 20) | (hour < 6)
    return np.select([weekday_rush, overnight], [tariff.rush_hour_extra, tariff.overnight_extra], 0.0)


def _tips(base: np.ndarray, payment_types: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Only card tips are recorded; cash tips never reach the TLC."""
    rows = base.size
    button_rate = rng.choice(_TIP_BUTTON_RATES, size=rows)
    custom_rate = rng.uniform(0.1, 0.35, size=rows)
    rate = np.where(rng.random(rows) < _TIP_BUTTON_SHARE, button_rate, custom_rate)
    rate = np.where(rng.random(rows) < _NO_TIP_SHARE, 0.0, rate)
    return np.where(payment_types == CREDIT_CARD, base * rate, 0.0).round(2)


def compute_charges(
    tariff: Tariff,
    motion: TripMotion,
    pickup_times: np.ndarray,
    pickup_zones: np.ndarray,
    dropoff_zones: np.ndarray,
    rate_codes: np.ndarray,
    payment_types: np.ndarray,
    rng: np.random.Generator,
) -> Charges:
    rows = rate_codes.size
    negotiated = rate_codes == NEGOTIATED_RATE
    in_manhattan = touches_manhattan(pickup_zones, dropoff_zones)

    fare = _fares(tariff, motion, rate_codes, rng)
    extra = np.where(negotiated, 0.0, _time_of_day_extras(tariff, pickup_times))
    mta_tax = np.where(negotiated, 0.0, tariff.mta_tax)
    long_trip = (motion.distance_miles > _LONG_TRIP_MILES) | (dropoff_zones == NEWARK_AIRPORT)
    tolled = long_trip & (rng.random(rows) < _TOLLED_SHARE_OF_LONG_TRIPS)
    tolls = np.where(tolled, tariff.bridge_toll, 0.0)
    congestion = np.where(in_manhattan & (rng.random(rows) < _CONGESTION_ZONE_SHARE), tariff.congestion_surcharge, 0.0)
    airport_fee = np.where(np.isin(pickup_zones, AIRPORT_PICKUP_ZONES), tariff.airport_fee, 0.0)
    cbd = np.where(in_manhattan & (rng.random(rows) < _CBD_ZONE_SHARE), tariff.cbd_congestion_fee, 0.0)
    tips = _tips(fare + extra + tolls, payment_types, rng)
    return Charges(
        fare_amount=fare,
        extra=extra,
        mta_tax=mta_tax,
        tip_amount=tips,
        tolls_amount=tolls,
        improvement_surcharge=np.full(rows, tariff.improvement_surcharge),
        congestion_surcharge=congestion,
        airport_fee=airport_fee,
        cbd_congestion_fee=cbd,
    )
