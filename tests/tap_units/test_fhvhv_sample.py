"""Sample high-volume FHV months look like the TLC's: who reports what, Y/N flags, the columns of each year."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import generate, generate_trip_table

ROWS = 5000
SEED = 7
MONEY = ("base_passenger_fare", "tolls", "bcf", "sales_tax", "congestion_surcharge", "tips", "driver_pay")
FLAGS = ("shared_request_flag", "shared_match_flag", "wav_request_flag", "wav_match_flag")


@pytest.fixture(scope="module")
def month_2022_05() -> pa.Table:
    return generate_trip_table("fhvhv", "2022-05", ROWS, SEED)


def _service(table: pa.Table, license_number: str) -> pa.Table:
    return table.filter(pc.equal(table.column("hvfhs_license_num"), license_number))


def test_only_uber_reports_on_scene_times_and_lyft_no_originating_base(month_2022_05: pa.Table) -> None:
    uber, lyft = _service(month_2022_05, "HV0003"), _service(month_2022_05, "HV0005")
    assert uber.num_rows > 0.6 * ROWS
    assert lyft.num_rows > 0.2 * ROWS
    assert uber.column("on_scene_datetime").null_count == 0
    assert lyft.column("on_scene_datetime").null_count == lyft.num_rows
    assert lyft.column("originating_base_num").null_count == lyft.num_rows
    assert set(uber.column("originating_base_num").to_pylist()) == {"B02764"}
    assert month_2022_05.column("on_scene_datetime").null_count == ROWS - uber.num_rows


def test_flags_are_y_or_n_and_lyft_leaves_access_a_ride_blank(month_2022_05: pa.Table) -> None:
    for flag in FLAGS:
        assert set(month_2022_05.column(flag).to_pylist()) == {"Y", "N"}
    assert set(_service(month_2022_05, "HV0005").column("access_a_ride_flag").to_pylist()) == {" "}
    assert set(_service(month_2022_05, "HV0003").column("access_a_ride_flag").to_pylist()) <= {"Y", "N"}


def test_requests_precede_arrival_and_pickup_precedes_drop_off(month_2022_05: pa.Table) -> None:
    columns = {name: month_2022_05.column(name) for name in ("request_datetime", "pickup_datetime", "dropoff_datetime")}
    assert pc.all(pc.less(columns["request_datetime"], columns["pickup_datetime"])).as_py()
    assert pc.all(pc.less(columns["pickup_datetime"], columns["dropoff_datetime"])).as_py()
    seconds = pc.seconds_between(columns["pickup_datetime"], columns["dropoff_datetime"])
    assert seconds.to_pylist() == month_2022_05.column("trip_time").to_pylist()


def test_money_is_in_cents_and_fares_are_plausible(month_2022_05: pa.Table) -> None:
    for column in MONEY:
        values = month_2022_05.column(column).to_pylist()
        assert all(round(v, 2) == v for v in values), column
    fares = month_2022_05.column("base_passenger_fare")
    assert 15 < pc.mean(fares).as_py() < 40
    tipped = pc.sum(pc.greater(month_2022_05.column("tips"), 0)).as_py()
    assert 0.1 * ROWS < tipped < 0.3 * ROWS


@pytest.mark.parametrize(
    ("month", "airport_fee_nulls", "has_cbd_fee", "location_type"),
    [("2019-02", ROWS, False, pa.int64()), ("2022-05", 0, False, pa.int64()), ("2025-03", 0, True, pa.int32())],
)
def test_each_year_has_its_columns(
    month: str, airport_fee_nulls: int, has_cbd_fee: bool, location_type: pa.DataType
) -> None:
    table = generate_trip_table("fhvhv", month, ROWS, SEED)
    assert table.column("airport_fee").null_count == airport_fee_nulls
    assert ("cbd_congestion_fee" in table.column_names) is has_cbd_fee
    assert table.schema.field("PULocationID").type == location_type
    assert table.schema.field("trip_time").type == pa.int64()
    assert table.schema.field("trip_miles").type == pa.float64()


def test_no_file_is_written_for_a_month_before_the_first_publication(tmp_path: Path) -> None:
    written = generate(tmp_path, "2019-01:2019-02", 50, SEED, ["yellow", "fhvhv"])
    trip_files = sorted(path.name for path in written if "tripdata" in path.name)
    assert trip_files == [
        "fhvhv_tripdata_2019-02.parquet",
        "yellow_tripdata_2019-01.parquet",
        "yellow_tripdata_2019-02.parquet",
    ]


def test_row_groups_can_be_as_large_as_the_month(tmp_path: Path) -> None:
    (path,) = [p for p in generate(tmp_path, "2021-05", 3000, SEED, ["fhvhv"], row_group_size=3000) if "trip" in p.name]
    metadata = pq.ParquetFile(path).metadata
    assert (metadata.num_row_groups, metadata.row_group(0).num_rows) == (1, 3000)
