"""The sample-data generator must reproduce the TLC files' names, layouts and defects exactly.

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
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import (
    generate,
    generate_trip_table,
    trip_file_name,
    write_course_ratings,
    write_trip_file,
    write_zone_lookup,
)
from tap_nyc_taxi.sample_data.cli import main

ROWS = 4000
SEED = 7

US = pa.timestamp("us")
NS = pa.timestamp("ns")
F64 = pa.float64()
I64 = pa.int64()
I32 = pa.int32()
STR = pa.string()
NULL = pa.null()

_YELLOW_MONEY = [
    ("fare_amount", F64),
    ("extra", F64),
    ("mta_tax", F64),
    ("tip_amount", F64),
    ("tolls_amount", F64),
    ("improvement_surcharge", F64),
    ("total_amount", F64),
]


def _yellow(timestamp: pa.DataType, vendor: pa.DataType, count: pa.DataType, location: pa.DataType) -> list:
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


def _green(vendor: pa.DataType, count: pa.DataType, location: pa.DataType) -> list:
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


def _fhv(sr_flag: pa.DataType) -> list:
    return [
        ("dispatching_base_num", STR),
        ("pickup_datetime", US),
        ("dropOff_datetime", US),
        ("PUlocationID", F64),
        ("DOlocationID", F64),
        ("SR_Flag", sr_flag),
        ("Affiliated_base_number", STR),
    ]


EXPECTED_LAYOUTS = {
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
    ("green", "2021-01"): _green(I64, F64, I64),
    ("green", "2023-11"): _green(I64, F64, I64),
    ("green", "2024-01"): _green(I32, I64, I32),
    ("green", "2025-03"): [*_green(I32, I64, I32), ("cbd_congestion_fee", F64)],
    ("fhv", "2021-01"): _fhv(NULL),
    ("fhv", "2021-12"): _fhv(NULL),
    ("fhv", "2022-01"): _fhv(F64),
}

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


@pytest.fixture(scope="module")
def reference_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    write_zone_lookup(out)
    write_course_ratings(out, SEED)
    return out


def _values(table: pa.Table, column: str) -> list:
    return table.column(column).to_pylist()


def _column_where(table: pa.Table, column: str, mask: pa.ChunkedArray) -> list:
    return table.filter(mask).column(column).to_pylist()


# --- file names and layouts -------------------------------------------------


def test_trip_file_names_follow_the_tlc() -> None:
    assert trip_file_name("yellow", "2021-01") == "yellow_tripdata_2021-01.parquet"
    assert trip_file_name("green", "2024-12", "csv") == "green_tripdata_2024-12.csv"
    assert trip_file_name("fhv", "2022-03", "csv.gz") == "fhv_tripdata_2022-03.csv.gz"


@pytest.mark.parametrize(("taxi_type", "month"), sorted(EXPECTED_LAYOUTS))
def test_parquet_layout_per_taxi_type_and_year(tmp_path: Path, taxi_type: str, month: str) -> None:
    path = write_trip_file(tmp_path, taxi_type, month, 300, SEED)
    schema = pq.read_schema(path)
    assert [(field.name, field.type) for field in schema] == EXPECTED_LAYOUTS[(taxi_type, month)]


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


# --- realistic values and quirks ----------------------------------------------


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


# --- determinism ----------------------------------------------------------------


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


def test_reference_files_are_reproducible(tmp_path: Path, reference_dir: Path) -> None:
    write_course_ratings(tmp_path, SEED)
    for name in ("courses.csv", "ratings.csv"):
        assert (tmp_path / name).read_bytes() == (reference_dir / name).read_bytes()


# --- reference CSVs ---------------------------------------------------------------


def test_zone_lookup_has_the_265_tlc_zones(reference_dir: Path) -> None:
    with open(reference_dir / "taxi_zone_lookup.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["LocationID", "Borough", "Zone", "service_zone"]
    ids = [int(row["LocationID"]) for row in rows]
    assert ids == list(range(1, 266))
    by_id = {int(row["LocationID"]): (row["Borough"], row["Zone"], row["service_zone"]) for row in rows}
    assert by_id[1] == ("EWR", "Newark Airport", "EWR")
    assert by_id[132] == ("Queens", "JFK Airport", "Airports")
    assert by_id[138] == ("Queens", "LaGuardia Airport", "Airports")
    assert by_id[264] == ("Unknown", "NV", "N/A")
    assert by_id[265] == ("N/A", "Outside of NYC", "N/A")
    assert by_id[161] == ("Manhattan", "Midtown Center", "Yellow Zone")
    for borough, _, service_zone in by_id.values():
        if borough == "Manhattan":
            assert service_zone == "Yellow Zone"
        elif borough in ("Bronx", "Brooklyn", "Staten Island") or (borough == "Queens" and service_zone != "Airports"):
            assert service_zone == "Boro Zone"


def test_trip_locations_reference_known_zones(yellow_2021_03: pa.Table) -> None:
    for column in ("PULocationID", "DOLocationID"):
        assert pc.min(yellow_2021_03.column(column)).as_py() >= 1
        assert pc.max(yellow_2021_03.column(column)).as_py() <= 265


def test_courses_have_missing_languages_and_csv_hostile_descriptions(reference_dir: Path) -> None:
    with open(reference_dir / "courses.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["course_id", "title", "description", "programming_language"]
    assert 90 <= len(rows) <= 110
    assert len({row["course_id"] for row in rows}) == len(rows)
    languages = [row["programming_language"] for row in rows]
    assert 1 <= languages.count("") <= 0.1 * len(rows)
    assert {"r", "python", "sql", "shell", "spreadsheets"} == set(languages) - {""}
    descriptions = [row["description"] for row in rows]
    assert any("," in text for text in descriptions)
    assert any('"' in text for text in descriptions)
    assert any("\n" in text for text in descriptions)


def test_missing_languages_are_unquoted_empty_fields(reference_dir: Path) -> None:
    """Empty-but-quoted would mean an empty string; the data set leaves the field out entirely."""
    courses = pa_csv.read_csv(
        reference_dir / "courses.csv",
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(strings_can_be_null=True, quoted_strings_can_be_null=False),
    )
    assert courses.column("programming_language").null_count >= 1
    assert courses.column("title").null_count == 0


def test_ratings_are_unique_pairs_of_existing_courses(reference_dir: Path) -> None:
    courses = pa_csv.read_csv(reference_dir / "courses.csv", parse_options=pa_csv.ParseOptions(newlines_in_values=True))
    ratings = pa_csv.read_csv(reference_dir / "ratings.csv")
    assert ratings.column_names == ["user_id", "course_id", "rating"]
    assert 1000 <= ratings.num_rows <= 10_000
    pairs = list(zip(_values(ratings, "user_id"), _values(ratings, "course_id"), strict=True))
    assert len(set(pairs)) == len(pairs)
    assert set(_values(ratings, "course_id")) <= set(_values(courses, "course_id"))
    assert ratings.schema.field("rating").type == pa.int64()
    assert set(_values(ratings, "rating")) == {1, 2, 3, 4, 5}


# --- CSV formats ----------------------------------------------------------------------


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
    assert [text == "" for text in passenger_text] == [value is None for value in _values(table, "passenger_count")]


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


# --- command line ----------------------------------------------------------------------


def test_cli_writes_every_file_and_reports_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert main(["--out", str(out), "--months", "2021-01:2021-02", "--rows-per-month", "200"]) == 0
    trip_files = {
        f"{taxi_type}_tripdata_{month}.parquet"
        for taxi_type in ("yellow", "green", "fhv")
        for month in ("2021-01", "2021-02")
    }
    expected = trip_files | {"taxi_zone_lookup.csv", "courses.csv", "ratings.csv"}
    assert {path.name for path in out.iterdir()} == expected
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == len(expected)
    assert any("yellow_tripdata_2021-01.parquet" in line and "200 rows" in line for line in lines)
    assert pq.read_metadata(out / "green_tripdata_2021-02.parquet").num_rows == 200


def test_cli_single_month_and_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--out", str(tmp_path), "--months", "2023-04", "--taxi-types", "fhv", "--format", "csv.gz"]
    assert main([*argv, "--rows-per-month", "50", "--seed", "9"]) == 0
    trip_files = sorted(path.name for path in tmp_path.glob("*_tripdata_*"))
    assert trip_files == ["fhv_tripdata_2023-04.csv.gz"]
    capsys.readouterr()


@pytest.mark.parametrize(
    "bad_arguments",
    [
        ["--months", "2021-13"],
        ["--months", "2021-03:2021-01"],
        ["--months", "March"],
        ["--taxi-types", "yellow,blue"],
        ["--format", "xlsx"],
        ["--rows-per-month", "-5"],
        ["--seed", "abc"],
        ["--row-group-size", "0"],
    ],
)
def test_cli_rejects_bad_arguments_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_arguments: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(tmp_path / "never"), *bad_arguments])
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err.splitlines()[-1]
    assert not (tmp_path / "never").exists()
