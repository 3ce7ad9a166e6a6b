"""`source` as a directory, a glob or one file, with the month window applied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.singer_process import Run


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
    assert "is neither a directory, a file, a glob nor an http(s) URL" in run.error_lines()[0]


def test_an_http_source_needs_a_start_month(run_tap: Callable[..., Run]) -> None:
    run = run_tap({"source": "http://127.0.0.1:9/trip-data"})
    assert run.returncode == 2
    assert "'start_month' is required" in run.error_lines()[0]
