"""Years of TLC layouts land on one stable schema, and CSV reads like parquet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data import write_trip_file, write_zone_lookup
from tests.support.singer_process import Run, run_connector, write_json

ROWS = 800


@pytest.fixture(scope="module")
def drift_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drift")
    for month in ("2019-06", "2021-01", "2022-03", "2023-05", "2024-02", "2025-02"):
        write_trip_file(out, "yellow", month, ROWS, 11)
    for month in ("2023-05", "2024-02"):
        write_trip_file(out, "green", month, ROWS, 11)
    for month in ("2021-01", "2022-07"):
        write_trip_file(out, "fhv", month, ROWS, 11)
    write_zone_lookup(out)
    return out


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


@pytest.mark.parametrize("fmt", ["csv", "csv.gz"])
def test_csv_downloads_emit_what_parquet_emits(fmt: str, tmp_path: Path, run_tap: Callable[..., Run]) -> None:
    parquet_dir, csv_dir = tmp_path / "parquet", tmp_path / "csv"
    parquet_dir.mkdir()
    csv_dir.mkdir()
    write_trip_file(parquet_dir, "green", "2021-03", ROWS, 5)
    write_trip_file(csv_dir, "green", "2021-03", ROWS, 5, fmt)
    zones = str(write_zone_lookup(tmp_path))
    from_parquet = run_tap({"source": str(parquet_dir), "taxi_types": ["green"], "zone_lookup": zones})
    from_csv = run_tap({"source": str(csv_dir), "taxi_types": ["green"], "zone_lookup": zones})
    assert from_parquet.returncode == from_csv.returncode == 0, from_csv.stderr
    assert _without_source_file(from_csv.records("green_trips")) == _without_source_file(
        from_parquet.records("green_trips")
    )
    assert from_csv.records("green_trips")[0]["source_file"] == f"green_tripdata_2021-03.{fmt}"


def _without_source_file(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "source_file"} for r in records]
