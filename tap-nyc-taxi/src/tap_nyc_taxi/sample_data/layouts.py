"""The published shape of each TLC trip file: column names, order and Arrow types per taxi type and month.

This is the schema drift the tap must absorb: the TLC re-typed columns in 2024,
wrote nanosecond timestamps in 2022, renamed airport_fee to Airport_fee in 2023,
published all-null columns typed as Arrow `null`, and added surcharge columns
as the surcharges were introduced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from tap_nyc_taxi.months import Month, to_month
from tap_nyc_taxi.taxi_types import FHV, GREEN, YELLOW, TaxiType, taxi_type_named

from .surcharge_dates import (
    AIRPORT_FEE_COLUMN_START,
    AIRPORT_FEE_START,
    CBD_CONGESTION_FEE_START,
    CONGESTION_SURCHARGE_START,
)


@dataclass(frozen=True)
class LayoutColumn:
    """A published column and the generated field filling it; they differ where the TLC renamed a column."""

    name: str
    field: str
    type: pa.DataType


_MONEY_FIELDS = ("fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount")
# From 2024 the TLC narrowed ids to int32 and stored counts and codes as int64 instead of float64.
_RETYPED_FROM_YEAR = 2024
_NANOSECOND_TIMESTAMP_YEAR = 2022
_AIRPORT_FEE_CAPITALISED_FROM_YEAR = 2023
_SHARED_RIDE_FLAG_FROM_YEAR = 2022


def _timestamp_type(month: Month) -> pa.DataType:
    """The 2022 files were written with nanosecond timestamps, every other year with microseconds."""
    return pa.timestamp("ns") if month.year == _NANOSECOND_TIMESTAMP_YEAR else pa.timestamp("us")


def _money(*names: str) -> list[LayoutColumn]:
    return [LayoutColumn(name, name, pa.float64()) for name in names]


def _congestion_surcharge(month: Month) -> list[LayoutColumn]:
    """The column only exists from 2019, when New York State began charging the surcharge."""
    if month >= CONGESTION_SURCHARGE_START:
        return [LayoutColumn("congestion_surcharge", "congestion_surcharge", pa.float64())]
    return []


def _cbd_fee(month: Month) -> list[LayoutColumn]:
    """The column only exists from 2025, when congestion pricing of the CBD began."""
    if month >= CBD_CONGESTION_FEE_START:
        return [LayoutColumn("cbd_congestion_fee", "cbd_congestion_fee", pa.float64())]
    return []


def _yellow_airport_fee(month: Month) -> list[LayoutColumn]:
    """Added in 2021 but only charged from March, so the first two files hold an all-null column."""
    if month < AIRPORT_FEE_COLUMN_START:
        return []
    name = "Airport_fee" if month.year >= _AIRPORT_FEE_CAPITALISED_FROM_YEAR else "airport_fee"
    not_yet_charged = month < AIRPORT_FEE_START
    return [LayoutColumn(name, "airport_fee", pa.null() if not_yet_charged else pa.float64())]


def _year_types(month: Month) -> tuple[pa.DataType, pa.DataType, pa.DataType]:
    """Ids, counts and timestamps as that year's files type them (ids and counts were retyped in 2024)."""
    retyped = month.year >= _RETYPED_FROM_YEAR
    small_int = pa.int32() if retyped else pa.int64()
    count = pa.int64() if retyped else pa.float64()
    return small_int, count, _timestamp_type(month)


def _yellow(month: Month) -> list[LayoutColumn]:
    small_int, count, timestamp = _year_types(month)
    return [
        LayoutColumn("VendorID", "VendorID", small_int),
        LayoutColumn("tpep_pickup_datetime", "pickup_datetime", timestamp),
        LayoutColumn("tpep_dropoff_datetime", "dropoff_datetime", timestamp),
        LayoutColumn("passenger_count", "passenger_count", count),
        LayoutColumn("trip_distance", "trip_distance", pa.float64()),
        LayoutColumn("RatecodeID", "RatecodeID", count),
        LayoutColumn("store_and_fwd_flag", "store_and_fwd_flag", pa.string()),
        LayoutColumn("PULocationID", "PULocationID", small_int),
        LayoutColumn("DOLocationID", "DOLocationID", small_int),
        LayoutColumn("payment_type", "payment_type", pa.int64()),
        *_money(*_MONEY_FIELDS, "improvement_surcharge", "total_amount"),
        *_congestion_surcharge(month),
        *_yellow_airport_fee(month),
        *_cbd_fee(month),
    ]


def _green(month: Month) -> list[LayoutColumn]:
    small_int, count, timestamp = _year_types(month)
    return [
        LayoutColumn("VendorID", "VendorID", small_int),
        LayoutColumn("lpep_pickup_datetime", "pickup_datetime", timestamp),
        LayoutColumn("lpep_dropoff_datetime", "dropoff_datetime", timestamp),
        LayoutColumn("store_and_fwd_flag", "store_and_fwd_flag", pa.string()),
        LayoutColumn("RatecodeID", "RatecodeID", count),
        LayoutColumn("PULocationID", "PULocationID", small_int),
        LayoutColumn("DOLocationID", "DOLocationID", small_int),
        LayoutColumn("passenger_count", "passenger_count", count),
        LayoutColumn("trip_distance", "trip_distance", pa.float64()),
        *_money(*_MONEY_FIELDS),
        LayoutColumn("ehail_fee", "ehail_fee", pa.null()),
        *_money("improvement_surcharge", "total_amount"),
        LayoutColumn("payment_type", "payment_type", count),
        LayoutColumn("trip_type", "trip_type", count),
        *_congestion_surcharge(month),
        *_cbd_fee(month),
    ]


def _fhv(month: Month) -> list[LayoutColumn]:
    """Up to 2021 no trip carried a shared-ride flag, so those files hold SR_Flag as an all-null column."""
    timestamp = pa.timestamp("us")
    shared_ride_flag = pa.float64() if month.year >= _SHARED_RIDE_FLAG_FROM_YEAR else pa.null()
    return [
        LayoutColumn("dispatching_base_num", "dispatching_base_num", pa.string()),
        LayoutColumn("pickup_datetime", "pickup_datetime", timestamp),
        LayoutColumn("dropOff_datetime", "dropoff_datetime", timestamp),
        LayoutColumn("PUlocationID", "PULocationID", pa.float64()),
        LayoutColumn("DOlocationID", "DOLocationID", pa.float64()),
        LayoutColumn("SR_Flag", "SR_Flag", shared_ride_flag),
        LayoutColumn("Affiliated_base_number", "Affiliated_base_number", pa.string()),
    ]


# One per registered taxi type (tests/tap_units/test_taxi_types.py holds every entry to it).
_LAYOUTS: dict[TaxiType, Callable[[Month], list[LayoutColumn]]] = {YELLOW: _yellow, GREEN: _green, FHV: _fhv}


def trip_layout(taxi_type: str, month: str | Month) -> tuple[LayoutColumn, ...]:
    return tuple(_LAYOUTS[taxi_type_named(taxi_type)](to_month(month)))


def trip_schema(taxi_type: str, month: str | Month) -> pa.Schema:
    return pa.schema([pa.field(column.name, column.type) for column in trip_layout(taxi_type, month)])
