"""The published shape of each TLC trip file: column names, order and Arrow types per taxi type and month.

This is the schema drift the tap must absorb: the TLC re-typed columns in 2024,
wrote nanosecond timestamps in 2022, renamed airport_fee to Airport_fee in 2023,
published all-null columns typed as Arrow `null`, and added surcharge columns
as the surcharges were introduced. Before today's names came the layouts of
2009 and 2010 yellow (other names, text codes and timestamps, coordinates
instead of zones), green's first CSVs of 2013-08 to 2014-12 (other case,
coordinates) and FHV's of 2015-2018 (Pickup_date and one locationID, then
Pickup_DateTime and DropOff_datetime).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa

from tap_nyc_taxi.months import Month, to_month
from tap_nyc_taxi.taxi_types import FHV, FHVHV, GREEN, YELLOW, TaxiType, taxi_type_named

from . import historic_encodings as historic
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
    encoding: Callable[[pa.Array], pa.Array] | None = None
    """How the layout wrote the field when not by a plain cast: text codes, text times, coordinates."""

    def values(self, fields: Mapping[str, pa.Array], rows: int) -> pa.Array:
        if pa.types.is_null(self.type):
            return pa.nulls(rows)
        source = fields[self.field]
        return (source if self.encoding is None else self.encoding(source)).cast(self.type)


_MONEY_FIELDS = ("fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount")
# From 2024 the TLC narrowed ids to int32 and stored counts and codes as int64 instead of float64.
_RETYPED_FROM_YEAR = 2024
_NANOSECOND_TIMESTAMP_YEAR = 2022
_AIRPORT_FEE_CAPITALISED_FROM_YEAR = 2023
_SHARED_RIDE_FLAG_FROM_YEAR = 2022
_YELLOW_2010_LAYOUT_FROM = Month(2010, 1)
_YELLOW_TODAYS_NAMES_FROM = Month(2011, 1)
_GREEN_TODAYS_NAMES_FROM = Month(2015, 1)
_FHV_DROPOFFS_FROM = Month(2017, 1)
_FHV_SHARED_RIDE_COLUMN_FROM = Month(2018, 1)
_FHV_TODAYS_NAMES_FROM = Month(2019, 1)


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


def _coordinates(*names: str) -> list[LayoutColumn]:
    """Pickup longitude and latitude, then drop-off's, under the layout's names."""
    pickup_longitude, pickup_latitude, dropoff_longitude, dropoff_latitude = names
    return [
        LayoutColumn(pickup_longitude, "PULocationID", pa.float64(), historic.longitudes),
        LayoutColumn(pickup_latitude, "PULocationID", pa.float64(), historic.latitudes),
        LayoutColumn(dropoff_longitude, "DOLocationID", pa.float64(), historic.longitudes),
        LayoutColumn(dropoff_latitude, "DOLocationID", pa.float64(), historic.latitudes),
    ]


def _yellow_2009() -> list[LayoutColumn]:
    """The first TPEP layout: text vendors, payments and times, coordinates, the surcharge before `extra`."""
    start_lon, start_lat, end_lon, end_lat = _coordinates("Start_Lon", "Start_Lat", "End_Lon", "End_Lat")
    return [
        LayoutColumn("vendor_name", "VendorID", pa.string(), historic.vendor_names),
        LayoutColumn("Trip_Pickup_DateTime", "pickup_datetime", pa.string(), historic.timestamp_text),
        LayoutColumn("Trip_Dropoff_DateTime", "dropoff_datetime", pa.string(), historic.timestamp_text),
        LayoutColumn("Passenger_Count", "passenger_count", pa.int64()),
        LayoutColumn("Trip_Distance", "trip_distance", pa.float64()),
        start_lon,
        start_lat,
        LayoutColumn("Rate_Code", "RatecodeID", pa.float64()),
        LayoutColumn("store_and_forward", "store_and_fwd_flag", pa.float64(), historic.flag_numbers),
        end_lon,
        end_lat,
        LayoutColumn("Payment_Type", "payment_type", pa.string(), historic.payment_words_2009),
        LayoutColumn("Fare_Amt", "fare_amount", pa.float64()),
        LayoutColumn("surcharge", "extra", pa.float64()),
        LayoutColumn("mta_tax", "mta_tax", pa.float64()),
        LayoutColumn("Tip_Amt", "tip_amount", pa.float64()),
        LayoutColumn("Tolls_Amt", "tolls_amount", pa.float64()),
        LayoutColumn("Total_Amt", "total_amount", pa.float64()),
    ]


def _yellow_2010() -> list[LayoutColumn]:
    """Lower-case names and three-letter payment codes, written from pandas with its row index."""
    pickup_lon, pickup_lat, dropoff_lon, dropoff_lat = _coordinates(
        "pickup_longitude", "pickup_latitude", "dropoff_longitude", "dropoff_latitude"
    )
    return [
        LayoutColumn("vendor_id", "VendorID", pa.string(), historic.vendor_names),
        LayoutColumn("pickup_datetime", "pickup_datetime", pa.string(), historic.timestamp_text),
        LayoutColumn("dropoff_datetime", "dropoff_datetime", pa.string(), historic.timestamp_text),
        LayoutColumn("passenger_count", "passenger_count", pa.int64()),
        LayoutColumn("trip_distance", "trip_distance", pa.float64()),
        pickup_lon,
        pickup_lat,
        LayoutColumn("rate_code", "RatecodeID", pa.int64()),
        LayoutColumn("store_and_fwd_flag", "store_and_fwd_flag", pa.float64(), historic.flag_numbers),
        dropoff_lon,
        dropoff_lat,
        LayoutColumn("payment_type", "payment_type", pa.string(), historic.payment_words_2010),
        LayoutColumn("fare_amount", "fare_amount", pa.float64()),
        LayoutColumn("surcharge", "extra", pa.float64()),
        *_money("mta_tax", "tip_amount", "tolls_amount", "total_amount"),
        LayoutColumn("__index_level_0__", "VendorID", pa.int64(), historic.row_index),
    ]


def _yellow(month: Month) -> list[LayoutColumn]:
    if month < _YELLOW_2010_LAYOUT_FROM:
        return _yellow_2009()
    if month < _YELLOW_TODAYS_NAMES_FROM:
        return _yellow_2010()
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


def _green_first_csvs() -> list[LayoutColumn]:
    """The LPEP layout of 2013-08 to 2014-12 as first published: coordinates, capitalised names."""
    return [
        LayoutColumn("VendorID", "VendorID", pa.int64()),
        LayoutColumn("lpep_pickup_datetime", "pickup_datetime", pa.timestamp("us")),
        LayoutColumn("Lpep_dropoff_datetime", "dropoff_datetime", pa.timestamp("us")),
        LayoutColumn("Store_and_fwd_flag", "store_and_fwd_flag", pa.string()),
        LayoutColumn("RateCodeID", "RatecodeID", pa.int64()),
        *_coordinates("Pickup_longitude", "Pickup_latitude", "Dropoff_longitude", "Dropoff_latitude"),
        LayoutColumn("Passenger_count", "passenger_count", pa.int64()),
        LayoutColumn("Trip_distance", "trip_distance", pa.float64()),
        *(LayoutColumn(name, field, pa.float64()) for name, field in _GREEN_FIRST_MONEY),
        LayoutColumn("Ehail_fee", "ehail_fee", pa.null()),
        LayoutColumn("Total_amount", "total_amount", pa.float64()),
        LayoutColumn("Payment_type", "payment_type", pa.int64()),
        LayoutColumn("Trip_type", "trip_type", pa.int64()),
    ]


_GREEN_FIRST_MONEY = (
    ("Fare_amount", "fare_amount"),
    ("Extra", "extra"),
    ("MTA_tax", "mta_tax"),
    ("Tip_amount", "tip_amount"),
    ("Tolls_amount", "tolls_amount"),
)


def _green(month: Month) -> list[LayoutColumn]:
    if month < _GREEN_TODAYS_NAMES_FROM:
        return _green_first_csvs()
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


def _fhv_before_2019(month: Month) -> list[LayoutColumn]:
    """2015-2016 give the pickup and one zone; 2017 adds the drop-off, 2018 an (all-null) SR_Flag."""
    timestamp = pa.timestamp("us")
    base = LayoutColumn("Dispatching_base_num", "dispatching_base_num", pa.string())
    if month < _FHV_DROPOFFS_FROM:
        return [
            base,
            LayoutColumn("Pickup_date", "pickup_datetime", timestamp),
            _fhv_zone("locationID", "PULocationID"),
        ]
    columns = [
        base,
        LayoutColumn("Pickup_DateTime", "pickup_datetime", timestamp),
        LayoutColumn("DropOff_datetime", "dropoff_datetime", timestamp),
        _fhv_zone("PUlocationID", "PULocationID"),
        _fhv_zone("DOlocationID", "DOLocationID"),
    ]
    if month >= _FHV_SHARED_RIDE_COLUMN_FROM:
        columns.append(LayoutColumn("SR_Flag", "SR_Flag", pa.null()))
    return columns


def _fhv_zone(name: str, field: str) -> LayoutColumn:
    return LayoutColumn(name, field, pa.float64())


def _fhv(month: Month) -> list[LayoutColumn]:
    """Up to 2021 no trip carried a shared-ride flag, so those files hold SR_Flag as an all-null column."""
    if month < _FHV_TODAYS_NAMES_FROM:
        return _fhv_before_2019(month)
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


_FHVHV_FLAGS = ("shared_request_flag", "shared_match_flag", "access_a_ride_flag", "wav_request_flag", "wav_match_flag")


def _fhvhv(month: Month) -> list[LayoutColumn]:
    """Every money column is float64 and every flag Y/N text, in all years; ids follow the 2024 retyping."""
    small_int, _, timestamp = _year_types(month)
    return [
        LayoutColumn("hvfhs_license_num", "hvfhs_license_num", pa.string()),
        LayoutColumn("dispatching_base_num", "dispatching_base_num", pa.string()),
        LayoutColumn("originating_base_num", "originating_base_num", pa.string()),
        *(
            LayoutColumn(name, name, timestamp)
            for name in ("request_datetime", "on_scene_datetime", "pickup_datetime", "dropoff_datetime")
        ),
        LayoutColumn("PULocationID", "PULocationID", small_int),
        LayoutColumn("DOLocationID", "DOLocationID", small_int),
        LayoutColumn("trip_miles", "trip_miles", pa.float64()),
        LayoutColumn("trip_time", "trip_time", pa.int64()),
        *_money("base_passenger_fare", "tolls", "bcf", "sales_tax", "congestion_surcharge", "airport_fee"),
        *_money("tips", "driver_pay"),
        *(LayoutColumn(name, name, pa.string()) for name in _FHVHV_FLAGS),
        *_cbd_fee(month),
    ]


# One per registered taxi type (tests/tap_units/test_taxi_types.py holds every entry to it).
_LAYOUTS: dict[TaxiType, Callable[[Month], list[LayoutColumn]]] = {
    YELLOW: _yellow,
    GREEN: _green,
    FHV: _fhv,
    FHVHV: _fhvhv,
}


def trip_layout(taxi_type: str, month: str | Month) -> tuple[LayoutColumn, ...]:
    return tuple(_LAYOUTS[taxi_type_named(taxi_type)](to_month(month)))


def trip_schema(taxi_type: str, month: str | Month) -> pa.Schema:
    return pa.schema([pa.field(column.name, column.type) for column in trip_layout(taxi_type, month)])
