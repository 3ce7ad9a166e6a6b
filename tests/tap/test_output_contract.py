"""A full run over generated data: every stream, spec-valid, complete and keyed.

These are the checks of singer-sdk's standard tap suite (cli_prints,
discovery, stream_connections, valid_final_state, schema_is_valid,
returns_record, record_matches_stream_schema, catalog schema vs record,
primary_keys, attribute type checks), run against our own tap because the
SDK's runners need an SDK-built tap class.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tap_nyc_taxi.streams import all_streams
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES
from tests.support.singer_process import Run, run_connector, write_json
from tests.tap.sample_files import ROWS

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
STREAMS = tuple(all_streams())


@pytest.fixture(scope="module")
def full_run(full_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Run:
    work = tmp_path_factory.mktemp("full")
    config = write_json(work / "config.json", {**full_config, "cache_dir": str(work / "cache")})
    run = run_connector("tap-nyc-taxi", "--config", config)
    assert run.returncode == 0, run.stderr
    return run


def test_every_stream_has_schema_before_its_records(full_run: Run) -> None:
    seen_schema: set[str] = set()
    for message in full_run.messages:
        if message["type"] == "SCHEMA":
            seen_schema.add(message["stream"])
        elif message["type"] == "RECORD":
            assert message["stream"] in seen_schema, f"RECORD of {message['stream']} before its SCHEMA"
    assert seen_schema == set(STREAMS)


def test_schema_messages_are_the_schemas_in_schemas_dir(full_run: Run) -> None:
    for message in full_run.of_type("SCHEMA"):
        source = json.loads((SCHEMAS / f"{message['stream']}.json").read_text())
        Draft202012Validator.check_schema(message["schema"])
        assert message["schema"]["properties"] == source["properties"]
        assert message["key_properties"] == source["x-key-properties"]
        assert "x-key-properties" not in message["schema"]


@pytest.mark.parametrize("stream", STREAMS)
def test_records_validate_against_their_schema(full_run: Run, stream: str) -> None:
    schema = next(m["schema"] for m in full_run.of_type("SCHEMA") if m["stream"] == stream)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    records = full_run.records(stream)
    assert records, f"{stream} returned no record"
    for record in records:
        errors = list(validator.iter_errors(record))
        assert not errors, f"{stream}: {errors[0].message} in {record}"
        assert set(record) == set(schema["properties"])


@pytest.mark.parametrize("stream", STREAMS)
def test_primary_keys_are_unique_and_present(full_run: Run, stream: str) -> None:
    keys = next(m["key_properties"] for m in full_run.of_type("SCHEMA") if m["stream"] == stream)
    values = [tuple(record[k] for k in keys) for record in full_run.records(stream)]
    assert all(None not in value for value in values)
    duplicates = [value for value, count in Counter(values).items() if count > 1]
    assert not duplicates, duplicates[:3]


def test_trip_record_counts_match_the_source_files(full_run: Run) -> None:
    for taxi_type in TAXI_TYPE_NAMES:
        records = full_run.records(f"{taxi_type}_trips")
        per_file = Counter(record["source_file"] for record in records)
        assert per_file == {
            f"{taxi_type}_tripdata_2021-01.parquet": ROWS,
            f"{taxi_type}_tripdata_2021-02.parquet": ROWS,
        }
        for name, count in per_file.items():
            rows = [r["source_row"] for r in records if r["source_file"] == name]
            assert sorted(rows) == list(range(1, count + 1))


def test_trip_values_equal_the_parquet_values(full_run: Run, sample_dir: Path) -> None:
    name = "yellow_tripdata_2021-02.parquet"
    table = pq.read_table(sample_dir / name)
    records = [r for r in full_run.records("yellow_trips") if r["source_file"] == name]
    for column in ("fare_amount", "total_amount", "trip_distance"):
        expected = pc.sum(table.column(column)).as_py()
        assert sum(r[column] or 0 for r in records) == pytest.approx(expected, abs=1e-6)
    passenger = table.column("passenger_count").to_pylist()
    assert [r["passenger_count"] for r in records] == [None if v is None else int(v) for v in passenger]
    pickups = table.column("tpep_pickup_datetime").to_pylist()
    emitted = [datetime.fromisoformat(r["tpep_pickup_datetime"].replace("Z", "")) for r in records]
    assert emitted == pickups


def test_datetimes_are_rfc3339_utc(full_run: Run) -> None:
    for record in full_run.records("green_trips")[:200]:
        for column in ("lpep_pickup_datetime", "lpep_dropoff_datetime"):
            value = record[column]
            assert value.endswith("Z")
            assert datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


def test_course_data_keeps_missing_languages_as_null(full_run: Run, sample_dir: Path) -> None:
    courses = full_run.records("courses")
    source_lines = (sample_dir / "courses.csv").read_text()
    assert len(courses) == len({c["course_id"] for c in courses}) > 50
    missing = [c for c in courses if c["programming_language"] is None]
    assert 0 < len(missing) < len(courses)
    assert all(c["title"] for c in courses)
    assert any("," in (c["description"] or "") for c in courses)
    assert '"' in source_lines


def test_final_state_marks_every_trip_file_complete(full_run: Run) -> None:
    final = full_run.states()[-1]
    assert full_run.messages[-1]["type"] == "STATE"
    for taxi_type in TAXI_TYPE_NAMES:
        files = final["bookmarks"][f"{taxi_type}_trips"]["files"]
        assert set(files) == {f"{taxi_type}_tripdata_2021-0{m}.parquet" for m in (1, 2)}
        assert all(entry["complete"] and entry["rows_done"] == ROWS for entry in files.values())


def test_state_is_emitted_at_least_every_state_every_rows(full_run: Run, full_config: dict[str, Any]) -> None:
    since_state = 0
    for message in full_run.messages:
        if message["type"] == "RECORD" and message["stream"].endswith("_trips"):
            since_state += 1
            assert since_state <= full_config["state_every_rows"]
        elif message["type"] == "STATE":
            since_state = 0


def test_logs_go_to_stderr_and_say_what_was_mapped(full_run: Run) -> None:
    assert "no column cbd_congestion_fee; emitting null" in full_run.stderr
    assert all(line.startswith(b"{") for line in full_run.stdout.splitlines())
