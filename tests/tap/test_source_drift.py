"""Years of TLC layouts land on one stable schema, and CSV reads like parquet.

Every layout since 2009 is in the drift directory, as the sample generator
writes it; the expected readings of the text codes are written out here by
hand from the TLC data dictionary, independently of the tap's code maps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import generate_trip_table, write_trip_file, write_zone_lookup
from tests.support.singer_process import Run, run_connector, write_json

ROWS = 800
COORDINATES = ("pickup_longitude", "pickup_latitude", "dropoff_longitude", "dropoff_latitude")
VENDOR_CODES = {"CMT": 1, "VTS": 2, "DDS": None}
PAYMENT_CODES = {
    "credit": 1,
    "cre": 1,
    "crd": 1,
    "cash": 2,
    "cas": 2,
    "csh": 2,
    "no charge": 3,
    "no": 3,
    "noc": 3,
    "dispute": 4,
    "dis": 4,
    "unk": 5,
}
FLAGS = {1.0: "Y", 0.0: "N", None: None}
UNKNOWN_PAYMENTS = {3: "Bitcoin", 10: "bitcoin ", 11: "IOU"}
"""Rows of yellow_tripdata_2010-04 given payment words no data dictionary knows."""


@pytest.fixture(scope="module")
def drift_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drift")
    for month in ("2009-01", "2010-03", "2019-06", "2021-01", "2022-03", "2023-05", "2024-02", "2025-02"):
        write_trip_file(out, "yellow", month, ROWS, 11)
    for month in ("2013-08", "2023-05", "2024-02", "2025-03"):
        write_trip_file(out, "green", month, ROWS, 11)
    for month in ("2015-02", "2017-04", "2018-09", "2021-01", "2022-07"):
        write_trip_file(out, "fhv", month, ROWS, 11)
    _write_with_unknown_payments(out / "yellow_tripdata_2010-04.parquet")
    write_zone_lookup(out)
    return out


def _write_with_unknown_payments(path: Path) -> None:
    table = generate_trip_table("yellow", "2010-04", ROWS, 11)
    payments = table.column("payment_type").to_pylist()
    for row, word in UNKNOWN_PAYMENTS.items():
        payments[row] = word
    index = table.schema.get_field_index("payment_type")
    pq.write_table(table.set_column(index, "payment_type", pa.array(payments, pa.string())), path)


@pytest.fixture(scope="module")
def drift_run(drift_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    work = tmp_path_factory.mktemp("drift-run")
    config = {
        "source": str(drift_dir),
        "taxi_types": ["yellow", "green", "fhv"],
        "zone_lookup": str(drift_dir / "taxi_zone_lookup.csv"),
    }
    run = run_connector("tap-nyc-taxi", "--config", write_json(work / "c.json", config))
    assert run.returncode == 0, run.stderr
    return run


def _by_file(run: Run, stream: str, name: str) -> list[dict[str, Any]]:
    return [r for r in run.records(stream) if r["source_file"] == name]


def test_source_layouts_really_drift(drift_dir: Path) -> None:
    y2021 = pq.read_schema(drift_dir / "yellow_tripdata_2021-01.parquet")
    y2023 = pq.read_schema(drift_dir / "yellow_tripdata_2023-05.parquet")
    y2024 = pq.read_schema(drift_dir / "yellow_tripdata_2024-02.parquet")
    assert y2021.field("airport_fee").type == pa.null()
    assert "Airport_fee" in y2023.names
    assert "airport_fee" not in y2023.names
    assert y2021.field("passenger_count").type == pa.float64()
    assert y2024.field("passenger_count").type == pa.int64()
    assert y2024.field("PULocationID").type == pa.int32()
    assert pq.read_schema(drift_dir / "yellow_tripdata_2022-03.parquet").field(
        "tpep_pickup_datetime"
    ).type == pa.timestamp("ns")


def test_capitalised_airport_fee_lands_in_airport_fee(drift_run: Run, drift_dir: Path) -> None:
    name = "yellow_tripdata_2023-05.parquet"
    source = pq.read_table(drift_dir / name).column("Airport_fee")
    emitted = [r["airport_fee"] for r in _by_file(drift_run, "yellow_trips", name)]
    assert emitted == source.to_pylist()
    assert any(value for value in emitted)
    assert f"{name}: reading column Airport_fee as airport_fee" in drift_run.stderr


def test_null_typed_and_absent_columns_are_null(drift_run: Run) -> None:
    assert all(r["airport_fee"] is None for r in _by_file(drift_run, "yellow_trips", "yellow_tripdata_2021-01.parquet"))
    old = _by_file(drift_run, "yellow_trips", "yellow_tripdata_2019-06.parquet")
    assert all(r["airport_fee"] is None and r["cbd_congestion_fee"] is None for r in old)
    assert any(r["cbd_congestion_fee"] for r in _by_file(drift_run, "yellow_trips", "yellow_tripdata_2025-02.parquet"))
    assert all(r["ehail_fee"] is None for r in drift_run.records("green_trips"))


def test_int_and_float_typed_years_emit_the_same_integers(drift_run: Run, drift_dir: Path) -> None:
    for name in ("yellow_tripdata_2021-01.parquet", "yellow_tripdata_2024-02.parquet"):
        source = pq.read_table(drift_dir / name)
        records = _by_file(drift_run, "yellow_trips", name)
        for column in ("passenger_count", "RatecodeID", "PULocationID", "VendorID"):
            expected = [None if v is None else int(v) for v in source.column(column).to_pylist()]
            assert [r[column] for r in records] == expected
            assert all(isinstance(r[column], int) for r in records if r[column] is not None)


def test_nanosecond_timestamps_are_read(drift_run: Run, drift_dir: Path) -> None:
    name = "yellow_tripdata_2022-03.parquet"
    source = pq.read_table(drift_dir / name).column("tpep_pickup_datetime").cast(pa.timestamp("us"))
    emitted = [r["tpep_pickup_datetime"] for r in _by_file(drift_run, "yellow_trips", name)]
    assert emitted == [value.isoformat() + "Z" for value in source.to_pylist()]


def test_fhv_float_location_ids_become_integers(drift_run: Run, drift_dir: Path) -> None:
    name = "fhv_tripdata_2022-07.parquet"
    source = pq.read_table(drift_dir / name).column("PUlocationID").to_pylist()
    emitted = [r["PUlocationID"] for r in _by_file(drift_run, "fhv_trips", name)]
    assert emitted == [None if v is None else int(v) for v in source]
    assert any(v is None for v in emitted)
    assert any(v is not None for v in emitted)


@pytest.mark.parametrize(
    ("taxi_type", "month", "fmt"),
    [
        ("green", "2021-03", "csv"),
        ("green", "2021-03", "csv.gz"),
        ("yellow", "2009-06", "csv.gz"),
        ("yellow", "2010-02", "csv"),
    ],
)
def test_csv_downloads_emit_what_parquet_emits(
    taxi_type: str, month: str, fmt: str, tmp_path: Path, run_tap: Callable[..., Run]
) -> None:
    parquet_dir, csv_dir = tmp_path / "parquet", tmp_path / "csv"
    parquet_dir.mkdir()
    csv_dir.mkdir()
    write_trip_file(parquet_dir, taxi_type, month, ROWS, 5)
    write_trip_file(csv_dir, taxi_type, month, ROWS, 5, fmt)
    zones = str(write_zone_lookup(tmp_path))
    stream = f"{taxi_type}_trips"
    from_parquet = run_tap({"source": str(parquet_dir), "taxi_types": [taxi_type], "zone_lookup": zones})
    from_csv = run_tap({"source": str(csv_dir), "taxi_types": [taxi_type], "zone_lookup": zones})
    assert from_parquet.returncode == from_csv.returncode == 0, from_csv.stderr
    assert len(from_csv.records(stream)) == ROWS
    assert _without_source_file(from_csv.records(stream)) == _without_source_file(from_parquet.records(stream))
    assert from_csv.records(stream)[0]["source_file"] == f"{taxi_type}_tripdata_{month}.{fmt}"


def _without_source_file(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "source_file"} for r in records]


def _source(drift_dir: Path, name: str) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = pq.read_table(drift_dir / name).to_pydict()
    return columns


def _wall_clock(texts: list[str]) -> list[str]:
    return [text.replace(" ", "T") + "Z" for text in texts]


def _as_emitted(value: Any) -> Any:
    """A source value as the tap writes it: timestamps as UTC text, the rest unchanged."""
    return value.isoformat() + "Z" if isinstance(value, datetime) else value


@pytest.mark.parametrize(
    ("stream", "name", "renamed"),
    [
        (
            "yellow_trips",
            "yellow_tripdata_2009-01.parquet",
            {
                "Start_Lon": "pickup_longitude",
                "Start_Lat": "pickup_latitude",
                "End_Lon": "dropoff_longitude",
                "End_Lat": "dropoff_latitude",
                "Passenger_Count": "passenger_count",
                "Trip_Distance": "trip_distance",
                "Fare_Amt": "fare_amount",
                "surcharge": "extra",
                "mta_tax": "mta_tax",
                "Tip_Amt": "tip_amount",
                "Tolls_Amt": "tolls_amount",
                "Total_Amt": "total_amount",
            },
        ),
        (
            "yellow_trips",
            "yellow_tripdata_2010-03.parquet",
            {
                **{name: name for name in COORDINATES},
                "passenger_count": "passenger_count",
                "rate_code": "RatecodeID",
                "fare_amount": "fare_amount",
                "surcharge": "extra",
                "total_amount": "total_amount",
            },
        ),
        (
            "green_trips",
            "green_tripdata_2013-08.parquet",
            {
                "Pickup_longitude": "pickup_longitude",
                "Dropoff_latitude": "dropoff_latitude",
                "Lpep_dropoff_datetime": "lpep_dropoff_datetime",
                "RateCodeID": "RatecodeID",
                "Store_and_fwd_flag": "store_and_fwd_flag",
                "Trip_type": "trip_type",
                "MTA_tax": "mta_tax",
            },
        ),
        (
            "fhv_trips",
            "fhv_tripdata_2015-02.parquet",
            {
                "Dispatching_base_num": "dispatching_base_num",
                "Pickup_date": "pickup_datetime",
                "locationID": "PUlocationID",
            },
        ),
        (
            "fhv_trips",
            "fhv_tripdata_2017-04.parquet",
            {
                "Dispatching_base_num": "dispatching_base_num",
                "Pickup_DateTime": "pickup_datetime",
                "DropOff_datetime": "dropOff_datetime",
                "DOlocationID": "DOlocationID",
            },
        ),
    ],
)
def test_first_layouts_land_in_the_stable_schema(
    drift_run: Run, drift_dir: Path, stream: str, name: str, renamed: dict[str, str]
) -> None:
    """Each source column holds, under its stable name, the values the file holds."""
    source = _source(drift_dir, name)
    records = _by_file(drift_run, stream, name)
    assert len(records) == ROWS
    for source_column, target in renamed.items():
        assert [r[target] for r in records] == [_as_emitted(v) for v in source[source_column]], source_column


@pytest.mark.parametrize("name", ["yellow_tripdata_2009-01.parquet", "yellow_tripdata_2010-03.parquet"])
def test_2009_and_2010_yellow_keep_coordinates_and_no_pandas_index(drift_run: Run, name: str) -> None:
    records = _by_file(drift_run, "yellow_trips", name)
    assert all(-74.3 < r["pickup_longitude"] < -73.6 for r in records if r["pickup_longitude"])
    assert all(r["PULocationID"] is None and r["DOLocationID"] is None for r in records)
    assert "__index_level_0__" not in records[0]


@pytest.mark.parametrize(
    ("name", "vendor", "pickup", "payment", "flag"),
    [
        ("yellow_tripdata_2009-01.parquet", "vendor_name", "Trip_Pickup_DateTime", "Payment_Type", "store_and_forward"),
        ("yellow_tripdata_2010-03.parquet", "vendor_id", "pickup_datetime", "payment_type", "store_and_fwd_flag"),
    ],
)
def test_text_codes_become_the_data_dictionary_codes(
    drift_run: Run, drift_dir: Path, name: str, vendor: str, pickup: str, payment: str, flag: str
) -> None:
    source = _source(drift_dir, name)
    records = _by_file(drift_run, "yellow_trips", name)
    assert [r["VendorID"] for r in records] == [VENDOR_CODES[text] for text in source[vendor]]
    assert [r["payment_type"] for r in records] == [PAYMENT_CODES[text.strip().lower()] for text in source[payment]]
    assert [r["store_and_fwd_flag"] for r in records] == [FLAGS[value] for value in source[flag]]
    assert [r["tpep_pickup_datetime"] for r in records] == _wall_clock(source[pickup])
    assert len({text for text in source[payment] if text.lower() == "cash"}) == (2 if "2009" in name else 0)
    assert {r["VendorID"] for r in records} == {1, 2, None}


def test_each_text_code_reading_is_logged_once_per_run(drift_run: Run) -> None:
    """2010-03 and 2010-04 both hold 'CSH'; the run tells its reading once."""
    readings = [line for line in drift_run.stderr.splitlines() if "reading code 'CSH' as 2 (cash)" in line]
    assert len(readings) == 1
    assert "column 'payment_type'" in readings[0]
    assert "reading code 'VTS' as 2 (VeriFone)" in drift_run.stderr


def test_codes_without_a_dictionary_code_keep_their_rows_and_are_counted_once(drift_run: Run, drift_dir: Path) -> None:
    name = "yellow_tripdata_2010-04.parquet"
    records = _by_file(drift_run, "yellow_trips", name)
    assert len(records) == ROWS
    assert [records[row]["payment_type"] for row in UNKNOWN_PAYMENTS] == [None] * len(UNKNOWN_PAYMENTS)
    assert sum(r["payment_type"] is None for r in records) == len(UNKNOWN_PAYMENTS)
    (payment_line,) = [
        line for line in drift_run.stderr.splitlines() if "have no TLC code" in line and "payment_type" in line
    ]
    assert "3 value(s) in 1 file(s)" in payment_line
    assert f"first at {name} row 4: column 'payment_type'" in payment_line
    dds_rows = sum(
        _source(drift_dir, f).get(column, []).count("DDS")
        for f, column in (
            ("yellow_tripdata_2009-01.parquet", "vendor_name"),
            ("yellow_tripdata_2010-03.parquet", "vendor_id"),
            (name, "vendor_id"),
        )
    )
    (vendor_line,) = [
        line for line in drift_run.stderr.splitlines() if "have no TLC code" in line and "VendorID" in line
    ]
    assert f"{dds_rows} value(s) in 3 file(s)" in vendor_line
    assert f"'DDS' ({dds_rows})" in vendor_line


def test_later_years_have_null_coordinates(drift_run: Run) -> None:
    for stream, name in (
        ("yellow_trips", "yellow_tripdata_2019-06.parquet"),
        ("green_trips", "green_tripdata_2023-05.parquet"),
    ):
        records = _by_file(drift_run, stream, name)
        assert all(r[column] is None for r in records for column in COORDINATES)
        assert all(r["PULocationID"] is not None for r in records)


def test_green_first_layout_has_coordinates_instead_of_zones(drift_run: Run) -> None:
    records = _by_file(drift_run, "green_trips", "green_tripdata_2013-08.parquet")
    assert all(r["PULocationID"] is None and r["improvement_surcharge"] is None for r in records)
    assert any(r["pickup_longitude"] is not None for r in records)


def test_green_cbd_congestion_fee_from_2025(drift_run: Run) -> None:
    assert any(r["cbd_congestion_fee"] for r in _by_file(drift_run, "green_trips", "green_tripdata_2025-03.parquet"))
    assert all(
        r["cbd_congestion_fee"] is None for r in _by_file(drift_run, "green_trips", "green_tripdata_2024-02.parquet")
    )


@pytest.mark.parametrize("name", ["fhv_tripdata_2015-02.parquet", "fhv_tripdata_2017-04.parquet"])
def test_fhv_first_layouts_give_integer_zones(drift_run: Run, name: str) -> None:
    records = _by_file(drift_run, "fhv_trips", name)
    assert all(isinstance(r["PUlocationID"], int) for r in records if r["PUlocationID"] is not None)
    assert any(r["PUlocationID"] is not None for r in records)
