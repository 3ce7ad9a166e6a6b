"""`source` as a directory, a glob, one file or a template of local paths, with the month window applied."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.singer_process import Run
from tests.tap.sample_files import ROWS


def _files(run: Run, stream: str = "yellow_trips") -> set[str]:
    assert run.returncode == 0, run.stderr
    return {r["source_file"] for r in run.records(stream)}


@pytest.mark.parametrize(
    ("source", "window", "expected"),
    [
        ("{dir}", {}, {"2021-01", "2021-02"}),
        ("{dir}", {"start_month": "2021-02"}, {"2021-02"}),
        ("{dir}", {"end_month": "2021-01"}, {"2021-01"}),
        ("{dir}/yellow_tripdata_2021-0[2-9].parquet", {}, {"2021-02"}),
        ("{dir}/yellow_tripdata_2021-01.parquet", {}, {"2021-01"}),
    ],
)
def test_source_forms(
    source: str,
    window: dict[str, Any],
    expected: set[str],
    sample_dir: Path,
    full_config: dict[str, Any],
    run_tap: Callable[..., Run],
) -> None:
    run = run_tap({**full_config, "taxi_types": ["yellow"], "source": source.format(dir=sample_dir), **window})
    assert _files(run) == {f"yellow_tripdata_{month}.parquet" for month in expected}


def test_a_source_that_does_not_exist_is_a_config_error(tmp_path: Path, run_tap: Callable[..., Run]) -> None:
    run = run_tap({"source": str(tmp_path / "missing"), "zone_lookup": str(tmp_path / "z.csv")})
    assert run.returncode == 2
    assert "is neither a directory, a file nor a glob, nor an http(s), gs:// or s3:// URL" in run.error_lines()[0]


def test_an_http_source_needs_a_start_month(run_tap: Callable[..., Run]) -> None:
    run = run_tap({"source": "http://127.0.0.1:9/trip-data"})
    assert run.returncode == 2
    assert "'start_month' is required" in run.error_lines()[0]


def test_a_template_over_local_paths_reads_each_month(
    sample_dir: Path, tmp_path: Path, full_config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    for month in ("2021-01", "2021-02"):
        name = f"yellow_tripdata_{month}.parquet"
        (tmp_path / "lake" / "yellow" / "2021").mkdir(parents=True, exist_ok=True)
        shutil.copy(sample_dir / name, tmp_path / "lake" / "yellow" / "2021" / name)
    template = str(tmp_path / "lake" / "{taxi_type}" / "{year}" / "{taxi_type}_tripdata_{month}.parquet")
    settings = {"taxi_types": ["yellow"], "source": template, "start_month": "2021-01", "end_month": "2021-02"}
    run = run_tap({**full_config, **settings})
    assert _files(run) == {"yellow_tripdata_2021-01.parquet", "yellow_tripdata_2021-02.parquet"}
    assert len(run.records("yellow_trips")) == 2 * ROWS
    assert run.states()[-1]["bookmarks"]["yellow_trips"]["files"]["yellow_tripdata_2021-02.parquet"]["complete"]


@pytest.mark.parametrize(
    ("source", "start_month", "message"),
    [
        ("/data/{taxi_type}_tripdata_{month}.parquet", None, "'start_month' is required"),
        ("/data/{taxi_type}_{yyyy}_{month}.parquet", "2021-01", "has unknown placeholders ['yyyy']"),
    ],
)
def test_a_malformed_template_is_a_config_error(
    source: str, start_month: str | None, message: str, run_tap: Callable[..., Run]
) -> None:
    run = run_tap({"source": source, **({"start_month": start_month} if start_month else {})})
    assert run.returncode == 2
    (error,) = run.error_lines()
    assert message in error
