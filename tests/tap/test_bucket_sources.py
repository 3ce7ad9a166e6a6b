"""`gs://` and `s3://` sources against local servers of those APIs: listed prefixes and templates,
fingerprinted by the object's generation (GCS) or ETag (S3), a changed object read again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_servers.gcs_server import GcsServer
from local_servers.s3_server import S3Server
from tap_nyc_taxi.sample_data import write_trip_file
from tests.support.singer_process import Run, run_connector, write_json

ROWS = 300
CHANGED_ROWS = 200
MONTHS = ("2021-01", "2021-02")
BUCKET = "lake"
SECRET = "s3cr3t-that-must-never-be-logged"


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bucket-files")
    files = {month: write_trip_file(out, "yellow", month, ROWS, 3) for month in MONTHS}
    changed = out / "changed"
    changed.mkdir()
    files["changed"] = write_trip_file(changed, "yellow", MONTHS[0], CHANGED_ROWS, 4)
    return files


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with S3Server() as server:
        server.client().create_bucket(Bucket=BUCKET)
        yield server


@pytest.fixture(scope="module")
def gcs() -> Iterator[GcsServer]:
    with GcsServer() as server:
        server.client().create_bucket(BUCKET)
        yield server


def _run(tmp_path: Path, env: dict[str, str], source: str, state: dict[str, Any] | None = None, **more: str) -> Run:
    config = {"source": source, "taxi_types": ["yellow"], "zone_lookup": "", "cache_dir": str(tmp_path / "cache")}
    args: list[str | Path] = ["--config", write_json(tmp_path / "config.json", {**config, **more})]
    if state is not None:
        args += ["--state", write_json(tmp_path / "state.json", state)]
    run = run_connector("tap-nyc-taxi", *args, env=env)
    assert run.returncode == 0, run.stderr
    return run


def _bookmarks(run: Run) -> dict[str, Any]:
    files: dict[str, Any] = run.states()[-1]["bookmarks"]["yellow_trips"]["files"]
    return files


def _rows_by_file(run: Run) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in run.records("yellow_trips"):
        counts[record["source_file"]] = counts.get(record["source_file"], 0) + 1
    return counts


def test_an_s3_prefix_is_listed_fingerprinted_by_etag_and_a_changed_object_reread(
    s3: S3Server, sample_files: dict[str, Path], tmp_path: Path
) -> None:
    client = s3.client()
    for month in MONTHS:
        client.upload_file(str(sample_files[month]), BUCKET, f"trip-data/{sample_files[month].name}")
    env = {**s3.client_env, "AWS_SECRET_ACCESS_KEY": SECRET}
    first = _run(tmp_path, env, f"s3://{BUCKET}/trip-data")
    names = [sample_files[month].name for month in MONTHS]
    assert _rows_by_file(first) == dict.fromkeys(names, ROWS)
    etags = {name: client.head_object(Bucket=BUCKET, Key=f"trip-data/{name}")["ETag"] for name in names}
    assert {name: value["modified"] for name, value in _bookmarks(first).items()} == etags
    assert SECRET not in first.stderr

    client.upload_file(str(sample_files["changed"]), BUCKET, f"trip-data/{names[0]}")
    second = _run(tmp_path, env, f"s3://{BUCKET}/trip-data", first.states()[-1])
    assert _rows_by_file(second) == {names[0]: CHANGED_ROWS}
    assert f"{names[0]} changed since it was bookmarked" in second.stderr
    changed_etag = client.head_object(Bucket=BUCKET, Key=f"trip-data/{names[0]}")["ETag"]
    assert _bookmarks(second)[names[0]]["modified"] == changed_etag != etags[names[0]]


def test_a_gcs_template_is_fingerprinted_by_generation_and_a_changed_object_reread(
    gcs: GcsServer, sample_files: dict[str, Path], tmp_path: Path
) -> None:
    bucket = gcs.client().bucket(BUCKET)
    for month in MONTHS:
        bucket.blob(f"yellow/2021/{sample_files[month].name}").upload_from_filename(str(sample_files[month]))
    template = f"gs://{BUCKET}/{{taxi_type}}/{{year}}/{{taxi_type}}_tripdata_{{month}}.parquet"
    window = {"start_month": MONTHS[0], "end_month": MONTHS[-1]}
    first = _run(tmp_path, gcs.client_env, template, None, **window)
    names = [sample_files[month].name for month in MONTHS]
    assert _rows_by_file(first) == dict.fromkeys(names, ROWS)
    generations = {name: str(bucket.get_blob(f"yellow/2021/{name}").generation) for name in names}
    assert {name: value["modified"] for name, value in _bookmarks(first).items()} == generations

    bucket.blob(f"yellow/2021/{names[0]}").upload_from_filename(str(sample_files["changed"]))
    second = _run(tmp_path, gcs.client_env, template, first.states()[-1], **window)
    assert _rows_by_file(second) == {names[0]: CHANGED_ROWS}
    assert _bookmarks(second)[names[0]]["modified"] == str(bucket.get_blob(f"yellow/2021/{names[0]}").generation)
    assert _bookmarks(second)[names[0]]["modified"] != generations[names[0]]
