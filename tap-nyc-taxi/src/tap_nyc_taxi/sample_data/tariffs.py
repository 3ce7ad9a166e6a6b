"""The TLC's metered fare rules, which changed with the December 2022 fare increase.

Keeping fares consistent with distance, time and the surcharges of the file's
year makes total_amount checks and per-mile sanity checks meaningful downstream.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tap_nyc_taxi.months import Month

from .surcharge_dates import AIRPORT_FEE_START, CBD_CONGESTION_FEE_START, CONGESTION_SURCHARGE_START


@dataclass(frozen=True)
class Tariff:
    """Amounts in USD as the taximeter applies them; a zero amount means the charge does not apply."""

    flag_drop: float
    per_mile: float
    per_slow_minute: float
    fare_increment: float
    jfk_flat_fare: float
    newark_surcharge: float
    mta_tax: float
    improvement_surcharge: float
    overnight_extra: float
    rush_hour_extra: float
    congestion_surcharge: float
    airport_fee: float
    cbd_congestion_fee: float
    bridge_toll: float


_BEFORE_2023 = Tariff(
    flag_drop=2.5,
    per_mile=2.5,
    per_slow_minute=0.5,
    fare_increment=0.5,
    jfk_flat_fare=52.0,
    newark_surcharge=17.5,
    mta_tax=0.5,
    improvement_surcharge=0.3,
    overnight_extra=0.5,
    rush_hour_extra=1.0,
    congestion_surcharge=2.5,
    airport_fee=1.25,
    cbd_congestion_fee=0.0,
    bridge_toll=6.55,
)

_FROM_2023 = Tariff(
    flag_drop=3.0,
    per_mile=3.5,
    per_slow_minute=0.7,
    fare_increment=0.7,
    jfk_flat_fare=70.0,
    newark_surcharge=20.0,
    mta_tax=0.5,
    improvement_surcharge=1.0,
    overnight_extra=1.0,
    rush_hour_extra=2.5,
    congestion_surcharge=2.5,
    airport_fee=1.75,
    cbd_congestion_fee=0.0,
    bridge_toll=6.94,
)

_FROM_2025 = replace(_FROM_2023, cbd_congestion_fee=0.75)

# The increase took effect on 2022-12-19; whole months keep the fares of one file consistent.
_FARE_INCREASE_START = Month(2023, 1)


def _tariff_era(month: Month) -> Tariff:
    if month >= CBD_CONGESTION_FEE_START:
        return _FROM_2025
    if month >= _FARE_INCREASE_START:
        return _FROM_2023
    return _BEFORE_2023


def tariff_for(taxi_type: str, month: Month) -> Tariff:
    """The charges as they appear in that taxi type's file for that month.

    A surcharge is only charged where the file has a column to report it, so
    total_amount always equals the sum of the published components.
    """
    tariff = _tariff_era(month)
    if month < CONGESTION_SURCHARGE_START:
        tariff = replace(tariff, congestion_surcharge=0.0)
    if taxi_type != "yellow" or month < AIRPORT_FEE_START:
        tariff = replace(tariff, airport_fee=0.0)
    return tariff
