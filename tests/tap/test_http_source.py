"""Reading the TLC's monthly files over HTTP: retries, resumed downloads, cache, unpublished months."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local_servers.http_server import FileServer
from tap_nyc_taxi.sample_data import write_trip_file, write_zone_lookup
from tests.support.singer_process import Run

ROWS = 2_000
BIG_ROWS = 30_000


@pytest.fixture(scope="module")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cdn")
    trips = root / "trip-data"
    trips.mkdir()
    for month in ("2021-01", "2021-02"):
        write_trip_file(trips, "yellow", month, ROWS, 9)
    write_trip_file(trips, "yellow", "2021-06", BIG_ROWS, 9)
    misc = root / "misc"
    misc.mkdir()
    write_zone_lookup(misc)
    return root


@pytest.fixture
def server(served_dir: Path) -> Iterator[FileServer]:
    with FileServer(served_dir) as server:
        yield server


def _config(server: FileServer, **overrides: Any) -> dict[str, Any]:
    return {
        "source": server.url_for("trip-data"),
        "start_month": "2021-01",
        "end_month": "2021-04",
        "zone_lookup": server.url_for("misc/taxi_zone_lookup.csv"),
        "http_backoff_seconds": 0.01,
        **overrides,
    }


def _gets(server: FileServer, name: str) -> list[Any]:
    return [r for r in server.requests if r.method == "GET" and r.path.endswith(name)]


def test_months_not_published_yet_end_the_stream_cleanly(server: FileServer, run_tap: Callable[..., Run]) -> None:
    run = run_tap(_config(server))
    assert run.returncode == 0, run.stderr
    files = {r["source_file"] for r in run.records("yellow_trips")}
    assert files == {"yellow_tripdata_2021-01.parquet", "yellow_tripdata_2021-02.parquet"}
    assert len(run.records("yellow_trips")) == 2 * ROWS
    assert len(run.records("taxi_zones")) == 265
    assert "yellow_tripdata_2021-03.parquet is not published yet (404)" in run.stderr
    assert not any(r.path.endswith("2021-04.parquet") for r in server.requests)
    assert set(run.states()[-1]["bookmarks"]["yellow_trips"]["files"]) == files


def test_transient_errors_are_retried(server: FileServer, run_tap: Callable[..., Run]) -> None:
    server.fail("/trip-data/yellow_tripdata_2021-01.parquet", status=503, times=3)
    run = run_tap(_config(server, end_month="2021-01"))
    assert run.returncode == 0, run.stderr
    assert len(run.records("yellow_trips")) == ROWS
    statuses = [r.status for r in server.requests if r.path.endswith("yellow_tripdata_2021-01.parquet")]
    assert statuses[:3] == [503, 503, 503]
    assert statuses[-1] == 200
    assert "attempt 1 failed" in run.stderr


def test_retry_after_is_honoured(server: FileServer, run_tap: Callable[..., Run]) -> None:
    server.fail("/trip-data/yellow_tripdata_2021-01.parquet", status=429, times=1, retry_after=1)
    run = run_tap(_config(server, end_month="2021-01", http_backoff_seconds=30))
    assert run.returncode == 0, run.stderr
    assert next(r.status for r in server.requests if r.path.endswith("2021-01.parquet")) == 429
    assert len(run.records("yellow_trips")) == ROWS


def test_a_download_cut_mid_body_resumes_with_a_range_request(server: FileServer, run_tap: Callable[..., Run]) -> None:
    name = "yellow_tripdata_2021-06.parquet"
    server.cut(f"/trip-data/{name}", after_bytes=300_000, times=1)
    run = run_tap(_config(server, start_month="2021-06", end_month="2021-06"))
    assert run.returncode == 0, run.stderr
    first, resumed = _gets(server, name)
    assert first.range is None
    assert first.cut_after == 300_000
    assert resumed.status == 206
    assert resumed.range is not None
    assert 0 < int(resumed.range.removeprefix("bytes=").rstrip("-")) <= 300_000
    rows = [r["source_row"] for r in run.records("yellow_trips")]
    assert rows == list(range(1, BIG_ROWS + 1))


def test_downloads_are_cached_between_runs(server: FileServer, run_tap: Callable[..., Run]) -> None:
    config = _config(server, end_month="2021-01")
    first = run_tap(config)
    server.clear_requests()
    second = run_tap(config)
    assert second.records("yellow_trips") == first.records("yellow_trips")
    assert _gets(server, "yellow_tripdata_2021-01.parquet") == []
    assert "using cached yellow_tripdata_2021-01.parquet" in second.stderr


def test_a_persistent_server_error_fails_with_the_url(server: FileServer, run_tap: Callable[..., Run]) -> None:
    server.fail("/trip-data/yellow_tripdata_2021-01.parquet", status=500, times=50)
    run = run_tap(_config(server, http_retries=3))
    assert run.returncode == 2
    (error,) = run.error_lines()
    url = server.url_for("trip-data/yellow_tripdata_2021-01.parquet")
    assert f"stream 'yellow_trips': {url}: giving up after 3 attempts: " in error
    assert run.states() == []
