"""The fhvhv_trips stream: the TLC's high-volume FHV columns as they are in the file, keyed and bookmarked
like every trip stream, from 2019-02 on."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import write_trip_file
from tests.support.singer_process import Run, run_connector, write_json
from tests.tap.sample_files import ROWS

STREAM = "fhvhv_trips"
EARLY, LATE = "fhvhv_tripdata_2021-01.parquet", "fhvhv_tripdata_2025-03.parquet"
LATE_ROWS = 300
MONEY = (
    "base_passenger_fare",
    "tolls",
    "bcf",
    "sales_tax",
    "congestion_surcharge",
    "airport_fee",
    "tips",
    "driver_pay",
)
TEXT = (
    "hvfhs_license_num",
    "dispatching_base_num",
    "originating_base_num",
    "shared_request_flag",
    "access_a_ride_flag",
)
SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / f"{STREAM}.json").read_text())


@pytest.fixture(scope="module")
def source(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's 2021-01 month (row groups of 500 rows) and a 2025 month with the CBD fee."""
    folder = tmp_path_factory.mktemp("fhvhv")
    shutil.copy(sample_dir / EARLY, folder / EARLY)
    write_trip_file(folder, "fhvhv", "2025-03", LATE_ROWS, 3)
    return folder


@pytest.fixture(scope="module")
def config(source: Path, sample_dir: Path) -> dict[str, Any]:
    return {
        "source": str(source),
        "taxi_types": ["fhvhv"],
        "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv"),
        "state_every_rows": 400,
    }


@pytest.fixture(scope="module")
def run(config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One run of the stream, which every test reads and none changes."""
    work = tmp_path_factory.mktemp("fhvhv-run")
    result = run_connector("tap-nyc-taxi", "--config", write_json(work / "c.json", {**config, "cache_dir": str(work)}))
    assert result.returncode == 0, result.stderr
    return result


def _records(run: Run, name: str) -> list[dict[str, Any]]:
    return [r for r in run.records(STREAM) if r["source_file"] == name]


def test_schema_keys_and_bookmarks_are_those_of_every_trip_stream(run: Run) -> None:
    (schema,) = [m for m in run.of_type("SCHEMA") if m["stream"] == STREAM]
    assert schema["key_properties"] == ["source_file", "source_row"]
    assert schema["bookmark_properties"] == ["source_row"]
    assert list(schema["schema"]["properties"]) == list(SCHEMA["properties"])
    files = run.states()[-1]["bookmarks"][STREAM]["files"]
    assert {name: (files[name]["rows_done"], files[name]["complete"]) for name in files} == {
        EARLY: (ROWS, True),
        LATE: (LATE_ROWS, True),
    }


@pytest.mark.parametrize(("name", "rows"), [(EARLY, ROWS), (LATE, LATE_ROWS)])
def test_values_are_the_files_exactly(run: Run, source: Path, name: str, rows: int) -> None:
    table = pq.read_table(source / name)
    records = _records(run, name)
    assert [r["source_row"] for r in records] == list(range(1, rows + 1))
    for column in (*MONEY, *TEXT, "trip_miles", "trip_time", "PULocationID", "DOLocationID"):
        assert [r[column] for r in records] == table.column(column).to_pylist(), column
    for column in ("request_datetime", "on_scene_datetime", "pickup_datetime", "dropoff_datetime"):
        emitted = [None if r[column] is None else datetime.fromisoformat(r[column].removesuffix("Z")) for r in records]
        assert emitted == table.column(column).to_pylist(), column
        assert all(r[column].endswith("Z") for r in records if r[column] is not None)


def test_types_and_nulls_where_the_tlc_leaves_them(run: Run) -> None:
    records = _records(run, EARLY)
    lyft = [r for r in records if r["hvfhs_license_num"] == "HV0005"]
    uber = [r for r in records if r["hvfhs_license_num"] == "HV0003"]
    assert lyft
    assert uber
    assert {r["on_scene_datetime"] for r in lyft} == {None}
    assert {r["originating_base_num"] for r in lyft} == {None}
    assert all(r["on_scene_datetime"] is not None for r in uber)
    assert {r["wav_match_flag"] for r in records} == {"Y", "N"}
    assert all(type(r["trip_time"]) is int and type(r["PULocationID"]) is int for r in records)
    assert all(type(r["base_passenger_fare"]) is float for r in records)
    assert {r["airport_fee"] for r in records} == {None}
    assert {r["cbd_congestion_fee"] for r in records} == {None}
    assert {r["cbd_congestion_fee"] for r in _records(run, LATE)} == {0.0, 1.5}


def test_a_run_resumes_inside_a_row_group_after_the_last_state(
    run: Run, config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    states = run.states()
    inside = next(
        s for s in states if s["bookmarks"].get(STREAM, {}).get("files", {}).get(EARLY, {}).get("rows_done") == 800
    )
    resumed = run_tap(config, inside)
    assert resumed.returncode == 0, resumed.stderr
    assert [r["source_row"] for r in _records(resumed, EARLY)] == list(range(801, ROWS + 1))
    assert len(_records(resumed, LATE)) == LATE_ROWS
    assert resumed.states()[-1]["bookmarks"][STREAM] == states[-1]["bookmarks"][STREAM]


def test_months_before_the_first_publication_are_not_asked_for(
    source: Path, config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    """A range from 2018 on asks for nothing before 2019-02, so reports no gap there."""
    folder = source.parent / "fhvhv-template"
    folder.mkdir(exist_ok=True)
    write_trip_file(folder, "fhvhv", "2019-02", 40, 3)
    template = str(folder / "{taxi_type}_tripdata_{month}.parquet")
    window = {"source": template, "start_month": "2018-11", "end_month": "2019-02"}
    result = run_tap({**config, **window})
    assert result.returncode == 0, result.stderr
    assert {r["source_file"] for r in result.records(STREAM)} == {"fhvhv_tripdata_2019-02.parquet"}
    for month in ("2018-11", "2018-12", "2019-01"):
        assert month not in result.stderr
