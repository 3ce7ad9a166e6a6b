"""`tap-nyc-taxi-sample`: writes every file, reports on stderr, and refuses bad arguments before writing."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.sample_data.cli import main
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES


def test_cli_writes_every_file_and_reports_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert main(["--out", str(out), "--months", "2021-01:2021-02", "--rows-per-month", "200"]) == 0
    trip_files = {
        f"{taxi_type}_tripdata_{month}.parquet" for taxi_type in TAXI_TYPE_NAMES for month in ("2021-01", "2021-02")
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
