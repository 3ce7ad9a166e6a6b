"""Bad input ends the run with one line naming stream, file, row and column; no STATE passes it."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tap_nyc_taxi.sample_data import write_trip_file, write_zone_lookup
from tests.support.singer_process import Run


def _assert_failed_with(run: Run, *fragments: str) -> None:
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    errors = run.error_lines()
    assert len(errors) == 1, run.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def _rewrite_csv(path: Path, change: Callable[[list[list[str]]], None]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with opener(path, "wt", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _add_column(rows: list[list[str]]) -> None:
    for n, row in enumerate(rows):
        row.append("x" if n else "surprise_fee")


@pytest.fixture
def zones(tmp_path: Path) -> str:
    return str(write_zone_lookup(tmp_path))


def test_a_value_that_cannot_be_converted_stops_before_its_batch(
    tmp_path: Path, zones: str, run_tap: Callable[..., Run]
) -> None:
    source = tmp_path / "trips"
    source.mkdir()
    write_trip_file(source, "yellow", "2021-01", 300, 3)
    path = write_trip_file(source, "yellow", "2021-02", 300, 3, "csv")
    column = None

    def corrupt(rows: list[list[str]]) -> None:
        nonlocal column
        index = rows[0].index("passenger_count")
        column = rows[0][index]
        rows[150][index] = "two"

    _rewrite_csv(path, corrupt)
    run = run_tap({"source": str(source), "zone_lookup": zones, "state_every_rows": 50})
    _assert_failed_with(
        run,
        f"stream 'yellow_trips': yellow_tripdata_2021-02.csv row 150: column {column!r}: cannot read 'two' as integer",
    )
    final = run.states()[-1]["bookmarks"]["yellow_trips"]["files"]
    assert final["yellow_tripdata_2021-01.parquet"]["complete"] is True
    assert final["yellow_tripdata_2021-02.csv"] == {
        **final["yellow_tripdata_2021-02.csv"],
        "rows_done": 100,
        "complete": False,
    }
    emitted = [
        r["source_row"] for r in run.records("yellow_trips") if r["source_file"] == "yellow_tripdata_2021-02.csv"
    ]
    assert emitted == list(range(1, 101))
    assert run.messages[-1]["type"] == "STATE", "the last records before the bad batch are covered by a STATE"


def test_an_unreadable_parquet_file_is_named(tmp_path: Path, zones: str, run_tap: Callable[..., Run]) -> None:
    (tmp_path / "yellow_tripdata_2021-01.parquet").write_bytes(b"PAR1 this is not parquet")
    run = run_tap({"source": str(tmp_path), "zone_lookup": zones})
    _assert_failed_with(run, "stream 'yellow_trips': yellow_tripdata_2021-01.parquet: not a readable parquet file")
    assert run.states() == []


def test_a_csv_with_an_unexpected_column_is_refused(tmp_path: Path, zones: str, run_tap: Callable[..., Run]) -> None:
    path = write_trip_file(tmp_path, "green", "2021-01", 50, 3, "csv.gz")
    _rewrite_csv(path, _add_column)
    config = {"source": str(tmp_path), "taxi_types": ["green"], "zone_lookup": zones}
    _assert_failed_with(run_tap(config), "stream 'green_trips': green_tripdata_2021-01.csv.gz", "surprise_fee")
    tolerant = run_tap({**config, "ignore_unknown_columns": True})
    assert tolerant.returncode == 0, tolerant.stderr
    assert len(tolerant.records("green_trips")) == 50
    assert "dropping unknown column surprise_fee" in tolerant.stderr


def test_an_empty_key_value_names_row_and_column(tmp_path: Path, run_tap: Callable[..., Run], sample_dir: Path) -> None:
    courses = tmp_path / "courses.csv"
    courses.write_bytes((sample_dir / "courses.csv").read_bytes())

    def blank_key(rows: list[list[str]]) -> None:
        rows[7][0] = ""

    _rewrite_csv(courses, blank_key)
    run = run_tap(
        {
            "source": str(tmp_path),
            "taxi_types": [],
            "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv"),
            "courses": str(courses),
        }
    )
    _assert_failed_with(run, "stream 'courses': courses.csv row 7: column 'course_id': is empty but the stream key")


def test_a_missing_file_is_named(tmp_path: Path, run_tap: Callable[..., Run]) -> None:
    run = run_tap({"source": str(tmp_path), "taxi_types": [], "zone_lookup": str(tmp_path / "nope.csv")})
    _assert_failed_with(run, f"stream 'taxi_zones': {tmp_path / 'nope.csv'}: no such file")


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("start_month", "2021-13", "'start_month' must look like YYYY-MM"),
        ("taxi_types", ["yellow", "purple"], "'taxi_types' has 'purple'"),
        ("state_every_rows", "many", "'state_every_rows' must be a integer"),
    ],
)
def test_bad_settings_fail_at_start_up(
    setting: str, value: Any, message: str, tmp_path: Path, run_tap: Callable[..., Run]
) -> None:
    run = run_tap({"source": str(tmp_path), setting: value})
    _assert_failed_with(run, message)
    assert run.messages == []


def test_secrets_stay_out_of_errors(tmp_path: Path, run_tap: Callable[..., Run]) -> None:
    url = "postgresql://loader:hunter2secret@127.0.0.1:1/nowhere"
    run = run_tap(
        {
            "source": str(tmp_path),
            "taxi_types": [],
            "zone_lookup": str(write_zone_lookup(tmp_path)),
            "course_rating_database": url,
            "http_retries": 1,
        }
    )
    _assert_failed_with(run, "stream 'courses': postgresql://loader:***@127.0.0.1:1/nowhere table courses: ")
    assert "hunter2secret" not in run.stderr
