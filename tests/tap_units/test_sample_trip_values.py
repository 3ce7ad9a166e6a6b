"""Sample trips carry realistic values and the TLC's data-quality defects, reproducibly from a seed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import generate, generate_trip_table, write_trip_file

ROWS = 4000
SEED = 7

MONEY_COLUMNS = [
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "improvement_surcharge",
    "congestion_surcharge",
    "airport_fee",
]


@pytest.fixture(scope="module")
def yellow_2021_03(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """Read back from parquet, so the assertions cover what a consumer actually gets."""
    out = tmp_path_factory.mktemp("yellow")
    return pq.read_table(write_trip_file(out, "yellow", "2021-03", ROWS, SEED))


@pytest.fixture(scope="module")
def green_2021_03(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    out = tmp_path_factory.mktemp("green")
    return pq.read_table(write_trip_file(out, "green", "2021-03", ROWS, SEED))


def _values(table: pa.Table, column: str) -> list[Any]:
    return list(table.column(column).to_pylist())


def _column_where(table: pa.Table, column: str, mask: pa.ChunkedArray) -> list[Any]:
    return list(table.filter(mask).column(column).to_pylist())


def test_unreported_rows_are_real_nulls_with_payment_type_zero(yellow_2021_03: pa.Table) -> None:
    unreported = pc.is_null(yellow_2021_03.column("passenger_count"))
    count = pc.sum(unreported).as_py()
    assert 0.015 * ROWS <= count <= 0.04 * ROWS
    for column in ("RatecodeID", "store_and_fwd_flag", "congestion_surcharge", "airport_fee"):
        assert yellow_2021_03.column(column).null_count == count
        assert set(_column_where(yellow_2021_03, column, unreported)) == {None}
    assert set(_column_where(yellow_2021_03, "payment_type", unreported)) == {0}


def test_green_unreported_rows_have_null_payment_and_trip_type(green_2021_03: pa.Table) -> None:
    unreported = pc.is_null(green_2021_03.column("passenger_count"))
    assert pc.sum(unreported).as_py() > 0
    assert set(_column_where(green_2021_03, "payment_type", unreported)) == {None}
    assert set(_column_where(green_2021_03, "trip_type", unreported)) == {None}
    assert set(_values(green_2021_03, "trip_type")) == {1.0, 2.0, None}


def test_refunds_negate_every_amount(yellow_2021_03: pa.Table) -> None:
    refunds = yellow_2021_03.filter(pc.less(yellow_2021_03.column("total_amount"), 0))
    assert 1 <= refunds.num_rows <= 0.01 * ROWS
    assert set(_values(refunds, "payment_type")) <= {3, 4}
    for column in MONEY_COLUMNS:
        assert all(value <= 0 for value in _values(refunds, column))
    assert -0.5 in _values(refunds, "mta_tax")


def test_total_amount_is_the_cent_rounded_sum_of_its_components(yellow_2021_03: pa.Table) -> None:
    components = zip(*(_values(yellow_2021_03, column) for column in MONEY_COLUMNS), strict=True)
    for total, parts in zip(_values(yellow_2021_03, "total_amount"), components, strict=True):
        assert total == round(sum(part or 0.0 for part in parts), 2)
    for column in [*MONEY_COLUMNS, "total_amount"]:
        assert all(value is None or round(value, 2) == value for value in _values(yellow_2021_03, column))


def test_some_pickups_fall_outside_the_files_month(yellow_2021_03: pa.Table) -> None:
    pickups = _values(yellow_2021_03, "tpep_pickup_datetime")
    month_start, month_end = datetime(2021, 3, 1), datetime(2021, 4, 1)
    years_before = [pickup for pickup in pickups if pickup.year < 2010]
    weeks_after = [pickup for pickup in pickups if pickup >= month_end]
    assert years_before
    assert weeks_after
    assert all((pickup - month_end).days < 40 for pickup in weeks_after)
    in_month = [pickup for pickup in pickups if month_start <= pickup < month_end]
    assert len(in_month) >= 0.99 * ROWS


def test_pickups_follow_the_daily_rhythm(yellow_2021_03: pa.Table) -> None:
    hours = pc.hour(yellow_2021_03.column("tpep_pickup_datetime")).to_pylist()
    evening_rush = sum(hour == 18 for hour in hours)
    small_hours = sum(hour == 4 for hour in hours)
    assert evening_rush > 4 * small_hours


def test_trips_last_minutes_to_about_an_hour(yellow_2021_03: pa.Table) -> None:
    pickups = _values(yellow_2021_03, "tpep_pickup_datetime")
    dropoffs = _values(yellow_2021_03, "tpep_dropoff_datetime")
    durations = [dropoff - pickup for pickup, dropoff in zip(pickups, dropoffs, strict=True)]
    minutes = sorted(duration.total_seconds() / 60 for duration in durations)
    assert minutes[0] >= 1
    assert 5 <= minutes[len(minutes) // 2] <= 25
    assert minutes[int(0.9 * len(minutes))] <= 60


def test_rare_codes_and_absurd_values_are_present(yellow_2021_03: pa.Table) -> None:
    vendors = _values(yellow_2021_03, "VendorID")
    distances = _values(yellow_2021_03, "trip_distance")
    passengers = _values(yellow_2021_03, "passenger_count")
    assert set(vendors) == {1, 2, 6}
    assert vendors.count(2) > vendors.count(1) > vendors.count(6)
    assert 99.0 in _values(yellow_2021_03, "RatecodeID")
    assert any(distance > 10_000 for distance in distances)
    assert 0.0 in distances
    assert 0.0 in passengers
    typical = sorted(distances)[len(distances) // 2]
    assert 0.5 <= typical <= 5


def test_tips_are_recorded_for_card_payments_only(yellow_2021_03: pa.Table) -> None:
    tipped = yellow_2021_03.filter(pc.greater(yellow_2021_03.column("tip_amount"), 0))
    assert tipped.num_rows > ROWS / 2
    assert set(_values(tipped, "payment_type")) <= {0, 1}


def test_surcharges_match_where_the_trip_went(yellow_2021_03: pa.Table) -> None:
    congestion = _values(yellow_2021_03, "congestion_surcharge")
    assert congestion.count(2.5) > 0.8 * ROWS
    airport_pickups = pc.is_in(yellow_2021_03.column("PULocationID"), pa.array([132, 138]))
    charged = pc.and_(airport_pickups, pc.greater(yellow_2021_03.column("total_amount"), 0))
    assert set(_column_where(yellow_2021_03, "airport_fee", charged)) <= {1.25, None}
    assert set(_column_where(yellow_2021_03, "airport_fee", pc.invert(airport_pickups))) <= {0.0, None}
    assert 1.25 in _values(yellow_2021_03, "airport_fee")


def test_airport_fee_rises_with_the_2023_tariff(tmp_path: Path) -> None:
    table = pq.read_table(write_trip_file(tmp_path, "yellow", "2023-05", ROWS, SEED))
    fees = set(_values(table, "Airport_fee"))
    assert {0.0, 1.75, None} <= fees <= {0.0, 1.75, -1.75, None}


def test_fhv_files_are_sparse(tmp_path: Path) -> None:
    table = pq.read_table(write_trip_file(tmp_path, "fhv", "2022-04", ROWS, SEED))
    assert table.column("PUlocationID").null_count > ROWS / 2
    assert 0 < table.column("DOlocationID").null_count < ROWS / 2
    assert set(_values(table, "SR_Flag")) == {1.0, None}
    bases = set(_values(table, "dispatching_base_num"))
    assert all(len(base) == 6 and base.startswith("B") and base[1:].isdigit() for base in bases)
    assert None in _values(table, "Affiliated_base_number")


def test_trip_locations_reference_known_zones(yellow_2021_03: pa.Table) -> None:
    for column in ("PULocationID", "DOLocationID"):
        assert pc.min(yellow_2021_03.column(column)).as_py() >= 1
        assert pc.max(yellow_2021_03.column(column)).as_py() <= 265


def test_same_seed_gives_the_same_rows() -> None:
    assert generate_trip_table("yellow", "2021-01", 500, 3).equals(generate_trip_table("yellow", "2021-01", 500, 3))


def test_different_seeds_give_different_rows() -> None:
    assert not generate_trip_table("green", "2021-01", 500, 3).equals(generate_trip_table("green", "2021-01", 500, 4))


def test_months_and_types_draw_from_independent_streams() -> None:
    january = generate_trip_table("yellow", "2021-01", 500, 3)
    february = generate_trip_table("yellow", "2021-02", 500, 3)
    assert _values(january, "trip_distance") != _values(february, "trip_distance")


def test_a_files_content_does_not_depend_on_the_other_months_generated(tmp_path: Path) -> None:
    generate(tmp_path / "range", "2021-01:2021-03", 300, SEED, ["yellow", "fhv"])
    generate(tmp_path / "single", ["2021-02"], 300, SEED, ["fhv"])
    name = "fhv_tripdata_2021-02.parquet"
    assert (tmp_path / "range" / name).read_bytes() == (tmp_path / "single" / name).read_bytes()
