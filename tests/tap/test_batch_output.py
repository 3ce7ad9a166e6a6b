"""batch_config: the tap writes batch files and BATCH messages, holding exactly what RECORDs would.

Each batch run is compared row for row with a RECORD run of the same data,
reading the files the way singer-sdk's targets do (StorageTarget, then
pyarrow or JSON Lines), so a file a real SDK target cannot read fails here.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import random
import re
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from singer_sdk.helpers._batch import StorageTarget

from local_servers.postgres_server import PostgresServer
from singer_lite_core.errors import ConfigError
from singer_lite_core.stop_request import Stopped, StopRequest
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi.bookmarks import Bookmarks
from tap_nyc_taxi.catalog import default_selection
from tap_nyc_taxi.sample_data import write_trip_file
from tap_nyc_taxi.settings import read_tap_config
from tap_nyc_taxi.streams import all_streams
from tap_nyc_taxi.sync import Sync
from tests.support.postgres_backend import PostgresBackend, postgres_backend
from tests.support.singer_process import Run, committed_over_kills, run_connector, write_json
from tests.tap.sample_files import ROWS

STREAMS = all_streams()
ARROW_TYPES = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "string": pa.string(),
    "date-time": pa.timestamp("us", tz="UTC"),
}
BATCH_SIZE = 700
"""Not a multiple of the 400-row reader batches: files start and end inside them."""


def _batch_config(root: Path, file_format: str, compression: str) -> dict[str, Any]:
    return {
        "encoding": {"format": file_format, "compression": compression},
        "storage": {"root": root.as_uri(), "prefix": "out/"},
        "batch_size": BATCH_SIZE,
    }


def _sdk_rows(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a BATCH message, read as singer-sdk's Sink.process_batch_files reads them."""
    encoding = message["encoding"]
    rows: list[dict[str, Any]] = []
    for url in message["manifest"]:
        head, tail = StorageTarget.split_url(url)
        with StorageTarget.from_url(head).open(tail, mode="rb") as file:
            if encoding["format"] == "parquet":
                rows += pq.read_table(file).to_pylist()
            elif encoding["compression"] == "gzip":
                with gzip.open(file) as lines:
                    rows += [json.loads(line) for line in lines]
            else:
                rows += [json.loads(line) for line in file]
    return rows


def _as_parquet_reads(stream: str, record: dict[str, Any]) -> dict[str, Any]:
    """A RECORD body with its date-time strings as the datetimes a parquet file gives back."""
    types = STREAMS[stream].column_types()
    return {
        name: datetime.fromisoformat(value) if types[name] == "date-time" and value is not None else value
        for name, value in record.items()
    }


@pytest.fixture(scope="module")
def record_run(full_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Run:
    work = tmp_path_factory.mktemp("records")
    config = write_json(work / "c.json", {**full_config, "cache_dir": str(work)})
    run = run_connector("tap-nyc-taxi", "--config", config)
    assert run.returncode == 0, run.stderr
    return run


def _batch_run(config: dict[str, Any], work: Path, file_format: str, compression: str) -> Run:
    batch_config = _batch_config(work, file_format, compression)
    settings = {**config, "cache_dir": str(work / "cache"), "batch_config": batch_config}
    run = run_connector("tap-nyc-taxi", "--config", write_json(work / "c.json", settings))
    assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def batch_run(full_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Run]:
    """The run of every stream in batch files of one encoding, made once per module; its files stay for targets."""
    runs: dict[tuple[str, str], Run] = {}

    def run(file_format: str, compression: str) -> Run:
        if (file_format, compression) not in runs:
            work = tmp_path_factory.mktemp(f"batches-{file_format}-{compression}")
            runs[file_format, compression] = _batch_run(full_config, work, file_format, compression)
        return runs[file_format, compression]

    return run


@pytest.mark.parametrize(("file_format", "compression"), [("parquet", "none"), ("parquet", "gzip"), ("jsonl", "gzip")])
def test_batch_files_hold_exactly_the_records(
    file_format: str, compression: str, record_run: Run, batch_run: Callable[[str, str], Run]
) -> None:
    run = batch_run(file_format, compression)
    assert run.of_type("RECORD") == []
    batches = run.of_type("BATCH")
    assert {m["stream"] for m in batches} == set(STREAMS)
    for stream in STREAMS:
        messages = [m for m in batches if m["stream"] == stream]
        assert all(m["encoding"] == {"format": file_format, "compression": compression} for m in messages)
        rows = [row for m in messages for row in _sdk_rows(m)]
        expected = record_run.records(stream)
        if file_format == "parquet":
            expected = [_as_parquet_reads(stream, record) for record in expected]
        assert rows == expected, stream
    assert run.states()[-1] == record_run.states()[-1]


def test_parquet_columns_are_the_stream_schema_types(batch_run: Callable[[str, str], Run]) -> None:
    for message in batch_run("parquet", "none").of_type("BATCH"):
        (url,) = message["manifest"]
        assert url.startswith("file:///")
        assert url.endswith(".parquet")
        path = Path(url.removeprefix("file://"))
        schema = pq.read_schema(path)
        types = STREAMS[message["stream"]].column_types()
        assert {field.name: field.type for field in schema} == {name: ARROW_TYPES[t] for name, t in types.items()}
        assert not list(path.parent.glob("*.partial"))


def test_a_state_follows_every_batch_and_says_how_far_the_file_is_sent(
    full_config: dict[str, Any], tmp_path: Path
) -> None:
    run = _batch_run({**full_config, "taxi_types": ["green"]}, tmp_path, "parquet", "none")
    sizes_by_source: dict[str, list[int]] = {}
    for index, message in enumerate(run.messages):
        if message["type"] == "STATE":
            files = message["value"].get("bookmarks", {}).get("green_trips", {}).get("files", {})
            sent = {source: progress["rows_done"] for source, progress in files.items()}
            assert sent == {source: sum(sizes) for source, sizes in sizes_by_source.items()}
        if message["type"] != "BATCH" or message["stream"] != "green_trips":
            continue
        (url,) = message["manifest"]
        path = url.removeprefix("file://")
        (source,) = pq.read_table(path, columns=["source_file"]).column(0).unique().to_pylist()
        sizes_by_source.setdefault(source, []).append(pq.read_metadata(path).num_rows)
        assert run.messages[index + 1]["type"] == "STATE"
    assert sizes_by_source == {
        "green_tripdata_2021-01.parquet": [BATCH_SIZE, BATCH_SIZE, ROWS - 2 * BATCH_SIZE],
        "green_tripdata_2021-02.parquet": [BATCH_SIZE, BATCH_SIZE, ROWS - 2 * BATCH_SIZE],
    }


def _trip_rows(messages: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [
        (row["source_file"], row["source_row"])
        for m in messages
        if m["type"] == "BATCH" and m["stream"] == "yellow_trips"
        for row in _sdk_rows(m)
    ]


def _yellow_batches(full_config: dict[str, Any], tmp_path: Path, **settings: Any) -> dict[str, Any]:
    """The yellow stream as parquet batch files under `tmp_path`, with `settings` on top."""
    return {
        **full_config,
        "taxi_types": ["yellow"],
        "cache_dir": str(tmp_path / "cache"),
        "batch_config": _batch_config(tmp_path, "parquet", "none"),
        **settings,
    }


def test_killed_runs_resume_from_the_last_state_without_loss_or_duplicates(
    full_config: dict[str, Any], tmp_path: Path
) -> None:
    batch_config = {**_batch_config(tmp_path, "parquet", "none"), "batch_size": 300}
    settings = _yellow_batches(full_config, tmp_path, batch_config=batch_config, state_every_rows=200)
    rng = random.Random(5)
    limits = [rng.randint(3, 9) for _ in range(4)]
    config = write_json(tmp_path / "c.json", settings)
    kept = committed_over_kills("tap-nyc-taxi", config, tmp_path / "state.json", [*limits, None])
    rows = _trip_rows(kept)
    assert [row for row, n in Counter(rows).items() if n > 1] == []
    assert set(rows) == {(f"yellow_tripdata_2021-0{m}.parquet", n) for m in (1, 2) for n in range(1, ROWS + 1)}
    manifests = [url for m in kept if m["type"] == "BATCH" for url in m["manifest"]]
    assert len(set(manifests)) == len(manifests)


class _StopAtCheck(StopRequest):
    """A stop asked at the n-th safe point, as if SIGTERM arrived just before it."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self._left = n

    def check(self) -> None:
        self._left -= 1
        if self._left == 0:
            self.ask(signal.SIGTERM)
        super().check()


def _sync(settings: dict[str, Any], path: Path, state: dict[str, Any], stop: StopRequest) -> list[dict[str, Any]]:
    """The yellow stream synced in-process; the output so far when a stop ends the run."""
    out = io.BytesIO()
    config = read_tap_config([str(write_json(path, settings))])
    selections = [s for s in default_selection(STREAMS) if s.stream.name == "yellow_trips"]
    with contextlib.suppress(Stopped):
        Sync(config, Bookmarks(state), SingerWriter(out), stop).run(selections)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_stop_inside_a_file_sends_the_rows_read_and_resumes_exactly(
    full_config: dict[str, Any], tmp_path: Path
) -> None:
    settings = _yellow_batches(full_config, tmp_path)
    stopped = _sync(settings, tmp_path / "c.json", {}, _StopAtCheck(3))
    assert [m["type"] for m in stopped][-3:] == ["BATCH", "STATE", "STATE"]
    assert _trip_rows(stopped) == [("yellow_tripdata_2021-01.parquet", n) for n in range(1, 401)]
    resumed = _sync(settings, tmp_path / "c.json", stopped[-1]["value"], StopRequest())
    assert resumed[-1]["value"]["bookmarks"]["yellow_trips"]["files"]["yellow_tripdata_2021-02.parquet"]["complete"]
    assert _trip_rows(stopped) + _trip_rows(resumed) == [
        (f"yellow_tripdata_2021-0{m}.parquet", n) for m in (1, 2) for n in range(1, ROWS + 1)
    ]


@pytest.mark.parametrize(
    ("batch_config", "named"),
    [
        ({"encoding": {"format": "avro"}, "storage": {"root": "/tmp"}}, "batch_config.encoding.format"),
        ({"encoding": {"format": "jsonl", "compression": "zstd"}, "storage": {"root": "/tmp"}}, "compression"),
        ({"encoding": {"format": "jsonl"}, "storage": {}}, "batch_config.storage.root"),
        ({"encoding": {"format": "jsonl"}, "storage": {"root": "nosuch://x"}}, "nosuch"),
        ({"encoding": {"format": "jsonl"}, "storage": {"root": "/tmp"}, "batch_size": 0}, "batch_size"),
        ({"encoding": {"format": "jsonl"}, "storage": {"root": "/tmp"}, "batchsize": 5}, "batchsize"),
    ],
)
def test_a_wrong_batch_config_is_a_config_error_naming_the_setting(
    batch_config: dict[str, Any], named: str, full_config: dict[str, Any], tmp_path: Path
) -> None:
    path = write_json(tmp_path / "c.json", {**full_config, "batch_config": batch_config})
    with pytest.raises(ConfigError, match=re.escape(named)):
        read_tap_config([str(path)])


def test_a_wrong_batch_config_fails_before_reading(full_config: dict[str, Any], run_tap: Callable[..., Run]) -> None:
    run = run_tap({**full_config, "batch_config": {"encoding": {"format": "avro"}, "storage": {"root": "/tmp"}}})
    assert run.returncode != 0
    assert run.messages == []
    (line,) = run.error_lines()
    assert "batch_config.encoding.format" in line
    assert "Traceback" not in run.stderr


@pytest.fixture(scope="module")
def by_records(
    record_run: Run, pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresBackend]:
    """The RECORD run as target-postgres-lite lands it: what every batch pipe must land too."""
    with postgres_backend(pg_server, tmp_path_factory.mktemp("by-records")) as backend:
        loaded = backend.run(record_run.stdout)
        assert loaded.returncode == 0, loaded.stderr
        assert json.loads(loaded.stdout.splitlines()[-1]) == record_run.states()[-1]
        yield backend


@pytest.mark.parametrize(("file_format", "compression"), [("parquet", "none"), ("jsonl", "gzip")])
def test_a_batch_pipe_into_target_postgres_lite_lands_what_a_record_pipe_lands(
    file_format: str,
    compression: str,
    record_run: Run,
    batch_run: Callable[[str, str], Run],
    by_records: PostgresBackend,
    pg_server: PostgresServer,
    tmp_path: Path,
) -> None:
    tap_run = batch_run(file_format, compression)
    with postgres_backend(pg_server, tmp_path) as by_batches:
        loaded = by_batches.run(tap_run.stdout)
        assert loaded.returncode == 0, loaded.stderr
        assert json.loads(loaded.stdout.splitlines()[-1]) == tap_run.states()[-1]
        for stream in STREAMS:
            columns = list(STREAMS[stream].column_types())
            keys = STREAMS[stream].key_properties or columns
            assert by_batches.column_types(stream) == by_records.column_types(stream)
            landed = by_batches.rows(stream, columns, order_by=keys)
            assert len(landed) == len(record_run.records(stream)) > 0
            assert landed == by_records.rows(stream, columns, order_by=keys), stream


def test_a_bad_value_drops_the_unsent_file_and_no_state_passes_the_sent_ones(
    tmp_path: Path, full_config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    source = tmp_path / "trips"
    source.mkdir()
    path = write_trip_file(source, "yellow", "2021-02", 300, 3, "csv")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[150][rows[0].index("passenger_count")] = "two"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    root = tmp_path / "batches"
    batch_config = {"encoding": {"format": "parquet"}, "storage": {"root": str(root)}, "batch_size": 60}
    settings = {"source": str(source), "zone_lookup": full_config["zone_lookup"], "state_every_rows": 50}
    run = run_tap({**settings, "batch_config": batch_config})
    assert run.returncode == 2, run.stderr
    (line,) = run.error_lines()
    assert "yellow_tripdata_2021-02.csv row 150" in line
    assert _trip_rows(run.messages) == [("yellow_tripdata_2021-02.csv", n) for n in range(1, 61)]
    assert run.states()[-1]["bookmarks"]["yellow_trips"]["files"]["yellow_tripdata_2021-02.csv"]["rows_done"] == 60
    assert [p.name for p in root.iterdir()] == [Path(url).name for m in run.of_type("BATCH") for url in m["manifest"]]


def test_a_remote_root_is_written_through_fsspec(full_config: dict[str, Any], tmp_path: Path) -> None:
    """fsspec's in-memory file system stands in for s3:// and gs://: same code path, no server."""
    settings = {
        **full_config,
        "taxi_types": ["yellow"],
        "cache_dir": str(tmp_path / "cache"),
        "batch_config": {"encoding": {"format": "jsonl", "compression": "gzip"}, "storage": {"root": "memory://h6"}},
    }
    messages = _sync(settings, tmp_path / "c.json", {}, StopRequest())
    urls = [url for m in messages if m["type"] == "BATCH" for url in m["manifest"]]
    assert urls
    assert all(url.startswith("memory://h6/yellow_trips--") and url.endswith(".jsonl.gz") for url in urls)
    rows = []
    for url in urls:
        with fsspec.open(url, "rb", compression="gzip") as lines:
            rows += [json.loads(line) for line in lines]
    assert [(r["source_file"], r["source_row"]) for r in rows] == [
        (f"yellow_tripdata_2021-0{m}.parquet", n) for m in (1, 2) for n in range(1, ROWS + 1)
    ]


def test_a_root_that_cannot_be_written_is_one_line_naming_the_file(
    tmp_path: Path, full_config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    batch_config = {"encoding": {"format": "parquet"}, "storage": {"root": str(blocker / "batches")}}
    run = run_tap({**full_config, "taxi_types": ["yellow"], "batch_config": batch_config})
    assert run.returncode == 2
    (line,) = run.error_lines()
    assert f"cannot write {(blocker / 'batches').as_uri()}/yellow_trips--" in line
    assert "Traceback" not in run.stderr
    assert run.of_type("BATCH") == []
