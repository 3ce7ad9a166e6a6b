"""Stream objects: each knows whether the settings configure it, its replication, and how to open its readers.

Sync is given streams, never names; the last tests run it on a stream it has
never heard of to show that nothing in it depends on which streams exist.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi.bookmarks import Bookmarks
from tap_nyc_taxi.catalog import Selection
from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.sample_data import trip_schema, write_course_ratings, write_trip_file, write_zone_lookup
from tap_nyc_taxi.settings import TapConfig, read_tap_config
from tap_nyc_taxi.stream import Partition, Stream
from tap_nyc_taxi.streams import all_streams
from tap_nyc_taxi.sync import Sync
from tap_nyc_taxi.table_readers import TableReader, rows_from
from tap_nyc_taxi.taxi_types import TAXI_TYPES
from tap_nyc_taxi.trip_streams import TripStream

TABLE_STREAMS = ("taxi_zones", "courses", "ratings")


def _config(tmp_path: Path, **settings: Any) -> TapConfig:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"source": str(tmp_path), "cache_dir": str(tmp_path / "cache"), **settings}))
    return read_tap_config([str(path)])


def _fetcher(config: TapConfig) -> RemoteFiles:
    return RemoteFiles(config.cache_dir, 1, 0.0, 1.0)


def test_every_schema_file_is_a_stream_and_every_stream_has_one() -> None:
    schemas = {path.name.removesuffix(".json") for path in files("tap_nyc_taxi").joinpath("schemas").iterdir()}
    assert set(all_streams()) == schemas


def test_trip_streams_are_incremental_by_source_row_and_tables_are_read_whole() -> None:
    streams = all_streams()
    for taxi_type in TAXI_TYPES:
        trips = streams[taxi_type.stream]
        assert (trips.replication, trips.replication_key, trips.lineage) == ("INCREMENTAL", "source_row", True)
    for name in TABLE_STREAMS:
        table = streams[name]
        assert (table.replication, table.replication_key, table.lineage) == ("FULL_TABLE", None, False)


def test_a_trip_stream_is_configured_when_its_taxi_type_is_chosen(tmp_path: Path) -> None:
    config = _config(tmp_path, taxi_types=["green"])
    configured = {t.name for t in TAXI_TYPES if all_streams()[t.stream].is_configured(config)}
    assert configured == {"green"}
    assert not any(all_streams()[t.stream].is_configured(_config(tmp_path, taxi_types=[])) for t in TAXI_TYPES)


def test_the_zone_lookup_is_configured_unless_its_setting_is_emptied(tmp_path: Path) -> None:
    zones = all_streams()["taxi_zones"]
    assert zones.is_configured(_config(tmp_path))
    assert not zones.is_configured(_config(tmp_path, zone_lookup=""))


@pytest.mark.parametrize(
    ("settings", "configured"),
    [
        ({}, set()),
        ({"courses": "courses.csv"}, {"courses"}),
        ({"ratings": "ratings.csv"}, {"ratings"}),
        ({"course_rating_database": "sqlite:///courses.db"}, {"courses", "ratings"}),
    ],
)
def test_a_course_stream_needs_its_csv_or_the_database(
    tmp_path: Path, settings: dict[str, str], configured: set[str]
) -> None:
    config = _config(tmp_path, **settings)
    assert {name for name in ("courses", "ratings") if all_streams()[name].is_configured(config)} == configured


def test_trip_partitions_are_the_files_in_month_order_each_pinned_to_a_version(tmp_path: Path) -> None:
    for month in ("2021-02", "2021-01"):
        write_trip_file(tmp_path, "yellow", month, 40, 1)
    write_trip_file(tmp_path, "yellow", "2021-01", 40, 1, "csv")
    write_trip_file(tmp_path, "green", "2021-01", 40, 1)
    config = _config(tmp_path)
    partitions = list(all_streams()["yellow_trips"].partitions(config, _fetcher(config)))
    names = ["yellow_tripdata_2021-01.parquet", "yellow_tripdata_2021-02.parquet"]
    assert [p.file.source.name for p in partitions if p.file is not None] == names
    assert all(p.file is not None and p.file.fingerprint.size for p in partitions)
    reader = partitions[1].open_reader()
    assert reader.name == names[1]
    assert reader.columns == trip_schema("yellow", "2021-02").names


def test_a_trip_stream_reads_the_files_of_its_own_type_only(tmp_path: Path) -> None:
    for taxi_type in TAXI_TYPES:
        write_trip_file(tmp_path, taxi_type.name, "2021-03", 10, 1)
    config = _config(tmp_path)
    for taxi_type in TAXI_TYPES:
        stream = all_streams()[taxi_type.stream]
        assert isinstance(stream, TripStream)
        names = [p.file.source.name for p in stream.partitions(config, _fetcher(config)) if p.file is not None]
        assert names == [f"{taxi_type.file_prefix}_2021-03.parquet"]


def test_the_zone_lookup_is_one_partition_read_whole(tmp_path: Path) -> None:
    config = _config(tmp_path, zone_lookup=str(write_zone_lookup(tmp_path)))
    (partition,) = all_streams()["taxi_zones"].partitions(config, _fetcher(config))
    assert partition.file is None
    reader = partition.open_reader()
    assert (reader.name, reader.columns) == ("taxi_zone_lookup.csv", ["LocationID", "Borough", "Zone", "service_zone"])


def test_course_rows_come_from_the_csv_when_given_else_from_the_database(tmp_path: Path) -> None:
    courses_csv, _ = write_course_ratings(tmp_path, 1)
    database = f"sqlite:///{tmp_path / 'courses.db'}"
    courses = all_streams()["courses"]
    from_database = _config(tmp_path, course_rating_database=database)
    (partition,) = courses.partitions(from_database, _fetcher(from_database))
    reader = partition.open_reader()
    assert (reader.name, reader.columns) == ("table courses", list(courses.schema["properties"]))
    both = _config(tmp_path, course_rating_database=database, courses=str(courses_csv))
    (partition,) = courses.partitions(both, _fetcher(both))
    assert partition.open_reader().name == "courses.csv"


class _MemoryReader:
    def __init__(self, name: str, batch: pa.RecordBatch) -> None:
        self.name = name
        self._batch = batch

    @property
    def columns(self) -> list[str]:
        return list(self._batch.schema.names)

    def batches(self, start_row: int) -> Iterator[tuple[int, pa.RecordBatch]]:
        return rows_from([self._batch], start_row)


class _ZonesInMemory(Stream):
    """A stream no registry lists: the zone lookup's schema, rows held in memory."""

    def __init__(self, location_ids: list[str], configured: bool = True) -> None:
        super().__init__("taxi_zones")
        self._batch = pa.record_batch({"LocationID": location_ids, "Zone": [f"zone {i}" for i in location_ids]})
        self._configured = configured

    def is_configured(self, config: TapConfig) -> bool:
        return self._configured

    def partitions(self, config: TapConfig, remote: RemoteFiles) -> Iterator[Partition]:
        reader: TableReader = _MemoryReader("zones in memory", self._batch)
        yield Partition(lambda: reader)


def _sync(tmp_path: Path, *streams: Stream) -> list[dict[str, Any]]:
    out = io.BytesIO()
    selections = [Selection(s, tuple(s.schema["properties"]), s.replication) for s in streams]
    Sync(_config(tmp_path), Bookmarks({}), SingerWriter(out)).run(selections)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_sync_runs_any_stream_it_is_given(tmp_path: Path) -> None:
    messages = _sync(tmp_path, _ZonesInMemory(["1", "2"]), _ZonesInMemory(["3"], configured=False))
    assert [m["type"] for m in messages] == ["SCHEMA", "RECORD", "RECORD", "STATE"]
    assert [m["record"]["LocationID"] for m in messages if m["type"] == "RECORD"] == [1, 2]
    assert messages[1]["record"] == {"LocationID": 1, "Borough": None, "Zone": "zone 1", "service_zone": None}


def test_a_bad_value_is_named_by_stream_source_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as failure:
        _sync(tmp_path, _ZonesInMemory(["1", "2", "two"]))
    assert str(failure.value) == (
        "stream 'taxi_zones': zones in memory row 3: column 'LocationID': cannot read 'two' as integer"
    )
