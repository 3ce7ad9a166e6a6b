"""Reading the TLC's monthly files over HTTP: the CDN's answers, retries, resumed downloads, cache, templates.

The server answers a missing file as the TLC's CloudFront does: 403 with S3's
AccessDenied XML. Which months count as "not published yet" depends on today,
so those tests name months relative to the current one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from local_servers.http_server import FileServer
from tap_nyc_taxi.sample_data import write_trip_file, write_zone_lookup
from tests.support.singer_process import Run
from tests.tap.recent_months import months_ago

ROWS = 2_000
BIG_ROWS = 30_000
RELEASES = "/DataTalksClub/nyc-tlc-data/releases/download/"


@pytest.fixture(scope="module")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cdn")
    trips = root / "trip-data"
    trips.mkdir()
    for month in ("2021-01", "2021-02", "2021-04", months_ago(4), months_ago(3)):
        write_trip_file(trips, "yellow", month, ROWS, 9)
    write_trip_file(trips, "yellow", "2021-06", BIG_ROWS, 9)
    misc = root / "misc"
    misc.mkdir()
    write_zone_lookup(misc)
    assets = root / "assets" / "yellow"
    assets.mkdir(parents=True)
    write_trip_file(assets, "yellow", "2021-01", ROWS, 9, fmt="csv.gz")
    return root


@pytest.fixture
def server(served_dir: Path) -> Iterator[FileServer]:
    with FileServer(served_dir, missing_as_access_denied=True) as server:
        yield server


def _config(server: FileServer, **overrides: Any) -> dict[str, Any]:
    """The test's settings; an override of None leaves the setting at its default."""
    settings = {
        "source": server.url_for("trip-data"),
        "start_month": "2021-01",
        "end_month": "2021-02",
        "zone_lookup": server.url_for("misc/taxi_zone_lookup.csv"),
        "http_backoff_seconds": 0.01,
        **overrides,
    }
    return {name: value for name, value in settings.items() if value is not None}


def _gets(server: FileServer, name: str) -> list[Any]:
    return [r for r in server.requests if r.method == "GET" and r.path.endswith(name)]


def _log_lines(run: Run, text: str) -> list[str]:
    return [line for line in run.stderr.splitlines() if text in line]


def test_months_within_the_publication_lag_end_the_stream_cleanly(
    server: FileServer, run_tap: Callable[..., Run]
) -> None:
    first, unpublished = months_ago(4), months_ago(2)
    run = run_tap(_config(server, start_month=str(first), end_month=None))
    assert run.returncode == 0, run.stderr
    files = {r["source_file"] for r in run.records("yellow_trips")}
    assert files == {f"yellow_tripdata_{first}.parquet", f"yellow_tripdata_{months_ago(3)}.parquet"}
    assert len(run.records("yellow_trips")) == 2 * ROWS
    assert len(run.records("taxi_zones")) == 265
    url = server.url_for(f"trip-data/yellow_tripdata_{unpublished}.parquet")
    (line,) = _log_lines(run, "is not published yet")
    assert f"yellow_trips: {url} answered 403 AccessDenied: {unpublished} is not published yet" in line
    assert " INFO " in line
    assert _log_lines(run, "WARNING") == []
    later = {f"yellow_tripdata_{months_ago(n)}.parquet" for n in (0, 1)}
    assert not any(r.path.rsplit("/", 1)[-1] in later for r in server.requests)
    assert set(run.states()[-1]["bookmarks"]["yellow_trips"]["files"]) == files


def test_a_source_with_none_of_the_months_fails_naming_the_first_url(
    server: FileServer, run_tap: Callable[..., Run]
) -> None:
    start = months_ago(8)
    run = run_tap(_config(server, source=server.url_for("wrong-folder"), start_month=str(start), end_month=None))
    assert run.returncode == 2
    (error,) = run.error_lines()
    url = server.url_for(f"wrong-folder/yellow_tripdata_{start}.parquet")
    assert f"stream 'yellow_trips': {url}: 403 AccessDenied, and no month from {start} to " in error
    assert run.records("yellow_trips") == []


def test_a_range_within_the_publication_lag_may_have_no_month_yet(
    server: FileServer, run_tap: Callable[..., Run]
) -> None:
    run = run_tap(_config(server, start_month=str(months_ago(1)), end_month=None))
    assert run.returncode == 0, run.stderr
    assert run.records("yellow_trips") == []
    assert len(_log_lines(run, "is not published yet")) == 1


def test_a_missing_month_between_present_ones_is_a_warning(server: FileServer, run_tap: Callable[..., Run]) -> None:
    run = run_tap(_config(server, end_month="2021-04"))
    assert run.returncode == 0, run.stderr
    files = {r["source_file"] for r in run.records("yellow_trips")}
    assert files == {f"yellow_tripdata_2021-0{n}.parquet" for n in (1, 2, 4)}
    assert len(run.records("yellow_trips")) == 3 * ROWS
    (warning,) = _log_lines(run, "WARNING")
    url = server.url_for("trip-data/yellow_tripdata_2021-03.parquet")
    assert f"yellow_trips: 2021-03 missing though published by now: {url} answered 403 AccessDenied" in warning


def test_a_template_follows_a_release_redirect_to_csv_gz(
    served_dir: Path, server: FileServer, run_tap: Callable[..., Run]
) -> None:
    with FileServer(served_dir / "misc") as github:
        github.redirect(RELEASES, server.url_for("assets/"))
        template = github.url + RELEASES + "{taxi_type}/{taxi_type}_tripdata_{month}.csv.gz"
        config = _config(server, source=template, end_month="2021-01")
        run = run_tap(config)
        assert run.returncode == 0, run.stderr
        records = run.records("yellow_trips")
        assert [r["source_row"] for r in records] == list(range(1, ROWS + 1))
        assert {r["source_file"] for r in records} == {"yellow_tripdata_2021-01.csv.gz"}
        assert {r.status for r in github.requests} == {302}
        (download,) = _gets(server, "assets/yellow/yellow_tripdata_2021-01.csv.gz")
        head = next(r for r in server.requests if r.method == "HEAD" and r.path.endswith(".csv.gz"))
        assert (download.status, head.status) == (200, 200)
        bookmark = run.states()[-1]["bookmarks"]["yellow_trips"]["files"]["yellow_tripdata_2021-01.csv.gz"]
        asset = requests.head(server.url_for("assets/yellow/yellow_tripdata_2021-01.csv.gz"), timeout=10)
        assert bookmark["modified"] == asset.headers["ETag"]
        server.clear_requests()
        again = run_tap(config, run.states()[-1])
        assert again.returncode == 0, again.stderr
        assert again.records("yellow_trips") == []
        assert "yellow_tripdata_2021-01.csv.gz already loaded" in again.stderr


@pytest.mark.parametrize("status", [403, 429, 503])
def test_throttling_and_server_errors_are_retried(status: int, server: FileServer, run_tap: Callable[..., Run]) -> None:
    """A 403 without S3's AccessDenied body is CloudFront throttling, not a missing month."""
    server.fail("/trip-data/yellow_tripdata_2021-01.parquet", status=status, times=3)
    run = run_tap(_config(server, end_month="2021-01"))
    assert run.returncode == 0, run.stderr
    assert len(run.records("yellow_trips")) == ROWS
    statuses = [r.status for r in server.requests if r.path.endswith("yellow_tripdata_2021-01.parquet")]
    assert statuses[:3] == [status] * 3
    assert statuses[-1] == 200
    assert "attempt 1 failed" in run.stderr
    assert "not published" not in run.stderr


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


def test_a_password_in_the_source_url_never_reaches_stderr(server: FileServer, run_tap: Callable[..., Run]) -> None:
    """A mirror reached as https://user:token@host/... names its secret in every URL the tap logs."""
    secret = "s3cret-token-5150"
    with_password = server.url_for("trip-data").replace("://", f"://reader:{secret}@", 1)
    warned = run_tap(_config(server, source=with_password, end_month="2021-04"))
    assert warned.returncode == 0, warned.stderr
    assert len(warned.records("yellow_trips")) == 3 * ROWS
    (warning,) = _log_lines(warned, "WARNING")
    assert "2021-03 missing though published by now: http://reader:***@127.0.0.1:" in warning
    failed = run_tap(_config(server, source=with_password.replace("trip-data", "wrong-folder"), start_month="2021-01"))
    assert failed.returncode == 2
    (error,) = failed.error_lines()
    assert "http://reader:***@127.0.0.1:" in error
    assert secret not in warned.stderr + failed.stderr
