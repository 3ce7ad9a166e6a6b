"""The sample generator reproduces the TLC files' names, per-year layouts and encodings exactly.

The expected layouts below are written out by hand from the published files
rather than derived from the generator, so they act as an independent oracle.
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import generate_trip_table, trip_file_name, write_trip_file

SEED = 7

US = pa.timestamp("us")
NS = pa.timestamp("ns")
F64 = pa.float64()
I64 = pa.int64()
I32 = pa.int32()
STR = pa.string()
NULL = pa.null()

Layout = list[tuple[str, pa.DataType]]

_YELLOW_MONEY = [
    ("fare_amount", F64),
    ("extra", F64),
    ("mta_tax", F64),
    ("tip_amount", F64),
    ("tolls_amount", F64),
    ("improvement_surcharge", F64),
    ("total_amount", F64),
]


def _yellow(timestamp: pa.DataType, vendor: pa.DataType, count: pa.DataType, location: pa.DataType) -> Layout:
    return [
        ("VendorID", vendor),
        ("tpep_pickup_datetime", timestamp),
        ("tpep_dropoff_datetime", timestamp),
        ("passenger_count", count),
        ("trip_distance", F64),
        ("RatecodeID", count),
        ("store_and_fwd_flag", STR),
        ("PULocationID", location),
        ("DOLocationID", location),
        ("payment_type", I64),
        *_YELLOW_MONEY,
    ]


def _green(vendor: pa.DataType, count: pa.DataType, location: pa.DataType) -> Layout:
    return [
        ("VendorID", vendor),
        ("lpep_pickup_datetime", US),
        ("lpep_dropoff_datetime", US),
        ("store_and_fwd_flag", STR),
        ("RatecodeID", count),
        ("PULocationID", location),
        ("DOLocationID", location),
        ("passenger_count", count),
        ("trip_distance", F64),
        ("fare_amount", F64),
        ("extra", F64),
        ("mta_tax", F64),
        ("tip_amount", F64),
        ("tolls_amount", F64),
        ("ehail_fee", NULL),
        ("improvement_surcharge", F64),
        ("total_amount", F64),
        ("payment_type", count),
        ("trip_type", count),
        ("congestion_surcharge", F64),
    ]


def _fhv(sr_flag: pa.DataType) -> Layout:
    return [
        ("dispatching_base_num", STR),
        ("pickup_datetime", US),
        ("dropOff_datetime", US),
        ("PUlocationID", F64),
        ("DOlocationID", F64),
        ("SR_Flag", sr_flag),
        ("Affiliated_base_number", STR),
    ]


YELLOW_2009 = [
    ("vendor_name", STR),
    ("Trip_Pickup_DateTime", STR),
    ("Trip_Dropoff_DateTime", STR),
    ("Passenger_Count", I64),
    ("Trip_Distance", F64),
    ("Start_Lon", F64),
    ("Start_Lat", F64),
    ("Rate_Code", F64),
    ("store_and_forward", F64),
    ("End_Lon", F64),
    ("End_Lat", F64),
    ("Payment_Type", STR),
    ("Fare_Amt", F64),
    ("surcharge", F64),
    ("mta_tax", F64),
    ("Tip_Amt", F64),
    ("Tolls_Amt", F64),
    ("Total_Amt", F64),
]
YELLOW_2010 = [
    ("vendor_id", STR),
    ("pickup_datetime", STR),
    ("dropoff_datetime", STR),
    ("passenger_count", I64),
    ("trip_distance", F64),
    ("pickup_longitude", F64),
    ("pickup_latitude", F64),
    ("rate_code", I64),
    ("store_and_fwd_flag", F64),
    ("dropoff_longitude", F64),
    ("dropoff_latitude", F64),
    ("payment_type", STR),
    ("fare_amount", F64),
    ("surcharge", F64),
    ("mta_tax", F64),
    ("tip_amount", F64),
    ("tolls_amount", F64),
    ("total_amount", F64),
    ("__index_level_0__", I64),
]
GREEN_FIRST_CSVS = [
    ("VendorID", I64),
    ("lpep_pickup_datetime", US),
    ("Lpep_dropoff_datetime", US),
    ("Store_and_fwd_flag", STR),
    ("RateCodeID", I64),
    ("Pickup_longitude", F64),
    ("Pickup_latitude", F64),
    ("Dropoff_longitude", F64),
    ("Dropoff_latitude", F64),
    ("Passenger_count", I64),
    ("Trip_distance", F64),
    ("Fare_amount", F64),
    ("Extra", F64),
    ("MTA_tax", F64),
    ("Tip_amount", F64),
    ("Tolls_amount", F64),
    ("Ehail_fee", NULL),
    ("Total_amount", F64),
    ("Payment_type", I64),
    ("Trip_type", I64),
]
FHV_2015 = [("Dispatching_base_num", STR), ("Pickup_date", US), ("locationID", F64)]
FHV_2017 = [
    ("Dispatching_base_num", STR),
    ("Pickup_DateTime", US),
    ("DropOff_datetime", US),
    ("PUlocationID", F64),
    ("DOlocationID", F64),
]

EXPECTED_LAYOUTS = {
    ("yellow", "2009-01"): YELLOW_2009,
    ("yellow", "2009-12"): YELLOW_2009,
    ("yellow", "2010-01"): YELLOW_2010,
    ("yellow", "2010-12"): YELLOW_2010,
    ("yellow", "2011-01"): _yellow(US, I64, F64, I64),
    ("yellow", "2018-06"): _yellow(US, I64, F64, I64),
    ("yellow", "2019-06"): [*_yellow(US, I64, F64, I64), ("congestion_surcharge", F64)],
    ("yellow", "2021-01"): [*_yellow(US, I64, F64, I64), ("congestion_surcharge", F64), ("airport_fee", NULL)],
    ("yellow", "2021-02"): [*_yellow(US, I64, F64, I64), ("congestion_surcharge", F64), ("airport_fee", NULL)],
    ("yellow", "2021-03"): [*_yellow(US, I64, F64, I64), ("congestion_surcharge", F64), ("airport_fee", F64)],
    ("yellow", "2022-07"): [*_yellow(NS, I64, F64, I64), ("congestion_surcharge", F64), ("airport_fee", F64)],
    ("yellow", "2023-05"): [*_yellow(US, I64, F64, I64), ("congestion_surcharge", F64), ("Airport_fee", F64)],
    ("yellow", "2024-02"): [*_yellow(US, I32, I64, I32), ("congestion_surcharge", F64), ("Airport_fee", F64)],
    ("yellow", "2025-01"): [
        *_yellow(US, I32, I64, I32),
        ("congestion_surcharge", F64),
        ("Airport_fee", F64),
        ("cbd_congestion_fee", F64),
    ],
    ("green", "2013-08"): GREEN_FIRST_CSVS,
    ("green", "2014-12"): GREEN_FIRST_CSVS,
    ("green", "2015-01"): _green(I64, F64, I64)[:-1],
    ("green", "2021-01"): _green(I64, F64, I64),
    ("green", "2023-11"): _green(I64, F64, I64),
    ("green", "2024-01"): _green(I32, I64, I32),
    ("green", "2025-03"): [*_green(I32, I64, I32), ("cbd_congestion_fee", F64)],
    ("fhv", "2015-01"): FHV_2015,
    ("fhv", "2016-12"): FHV_2015,
    ("fhv", "2017-01"): FHV_2017,
    ("fhv", "2018-01"): [*FHV_2017, ("SR_Flag", NULL)],
    ("fhv", "2019-01"): _fhv(NULL),
    ("fhv", "2021-01"): _fhv(NULL),
    ("fhv", "2021-12"): _fhv(NULL),
    ("fhv", "2022-01"): _fhv(F64),
}


def test_trip_file_names_follow_the_tlc() -> None:
    assert trip_file_name("yellow", "2021-01") == "yellow_tripdata_2021-01.parquet"
    assert trip_file_name("green", "2024-12", "csv") == "green_tripdata_2024-12.csv"
    assert trip_file_name("fhv", "2022-03", "csv.gz") == "fhv_tripdata_2022-03.csv.gz"


@pytest.mark.parametrize(("taxi_type", "month"), sorted(EXPECTED_LAYOUTS))
def test_parquet_layout_per_taxi_type_and_year(tmp_path: Path, taxi_type: str, month: str) -> None:
    path = write_trip_file(tmp_path, taxi_type, month, 300, SEED)
    schema = pq.read_schema(path)
    assert [(field.name, field.type) for field in schema] == EXPECTED_LAYOUTS[(taxi_type, month)]


def test_2009_and_2010_write_text_codes_text_times_and_coordinates(tmp_path: Path) -> None:
    y2009 = pq.read_table(write_trip_file(tmp_path, "yellow", "2009-03", 2000, SEED)).to_pydict()
    y2010 = pq.read_table(write_trip_file(tmp_path, "yellow", "2010-03", 2000, SEED)).to_pydict()
    assert set(y2009["vendor_name"]) == set(y2010["vendor_id"]) == {"CMT", "VTS", "DDS"}
    assert set(y2009["Payment_Type"]) == {"Cash", "CASH", "Credit", "CREDIT", "No Charge", "Dispute"}
    assert set(y2010["payment_type"]) == {"CRD", "Cre", "CSH", "CAS", "Cas", "NOC", "No", "DIS", "Dis", "UNK"}
    assert set(y2009["store_and_forward"]) == set(y2010["store_and_fwd_flag"]) == {0.0, 1.0, None}
    pickups = [datetime.strptime(text, "%Y-%m-%d %H:%M:%S") for text in y2010["pickup_datetime"]]
    assert sum((pickup.year, pickup.month) == (2010, 3) for pickup in pickups) > 1990
    assert sum(text.startswith("2009-03-") for text in y2009["Trip_Pickup_DateTime"]) > 1990
    assert y2010["__index_level_0__"] == list(range(2000))
    for longitude, latitude in zip(y2009["Start_Lon"], y2009["Start_Lat"], strict=True):
        assert (longitude, latitude) == (0.0, 0.0) or (-74.3 < longitude < -73.6 and 40.45 < latitude < 40.95)
    no_fix = sum(longitude == 0.0 for longitude in y2009["Start_Lon"])
    assert 0 < no_fix < 100


def test_later_layouts_hold_zones_not_coordinates(tmp_path: Path) -> None:
    for taxi_type, month in (("yellow", "2011-01"), ("green", "2015-01")):
        names = pq.read_schema(write_trip_file(tmp_path, taxi_type, month, 10, SEED)).names
        assert "PULocationID" in names
        assert not [name for name in names if "longitude" in name.lower() or name[-3:].lower() == "lon"]


def test_null_typed_columns_are_entirely_null(tmp_path: Path) -> None:
    yellow = pq.read_table(write_trip_file(tmp_path, "yellow", "2021-02", 500, SEED))
    green = pq.read_table(write_trip_file(tmp_path, "green", "2021-02", 500, SEED))
    fhv = pq.read_table(write_trip_file(tmp_path, "fhv", "2021-02", 500, SEED))
    for table, column in ((yellow, "airport_fee"), (green, "ehail_fee"), (fhv, "SR_Flag")):
        assert table.column(column).null_count == 500


def test_parquet_row_groups_follow_row_group_size(tmp_path: Path) -> None:
    path = write_trip_file(tmp_path, "yellow", "2021-01", 2500, SEED, row_group_size=1000)
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)] == [1000, 1000, 500]


def test_csv_and_csv_gz_carry_the_same_table_as_text(tmp_path: Path) -> None:
    plain = write_trip_file(tmp_path, "yellow", "2022-02", 300, SEED, fmt="csv")
    packed = write_trip_file(tmp_path, "yellow", "2022-02", 300, SEED, fmt="csv.gz")
    assert plain.name == "yellow_tripdata_2022-02.csv"
    assert packed.name == "yellow_tripdata_2022-02.csv.gz"
    text = plain.read_text()
    assert gzip.decompress(packed.read_bytes()).decode() == text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [name for name, _ in EXPECTED_LAYOUTS[("yellow", "2022-07")]]
    assert len(rows) == 301
    pickup = rows[1][1]
    assert datetime.strptime(pickup, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S") == pickup
    table = generate_trip_table("yellow", "2022-02", 300, SEED)
    passenger_text = [row[3] for row in rows[1:]]
    assert [text == "" for text in passenger_text] == [
        value is None for value in table.column("passenger_count").to_pylist()
    ]


def test_csv_null_typed_columns_are_empty_fields(tmp_path: Path) -> None:
    path = write_trip_file(tmp_path, "green", "2021-05", 100, SEED, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert {row["ehail_fee"] for row in rows} == {""}


def test_unknown_format_or_taxi_type_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        write_trip_file(tmp_path, "yellow", "2021-01", 10, SEED, fmt="xlsx")
    with pytest.raises(ValueError, match="taxi type"):
        generate_trip_table("blue", "2021-01", 10, SEED)
    assert list(tmp_path.iterdir()) == []
