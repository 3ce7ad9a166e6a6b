"""The `shard` setting: N runs over one configuration read every trip file exactly once.

Which files a shard reads is checked in-process (trip_files over a parsed
config: listing and pinning, no rows read), for many shard counts and every
form of `source`; what a shard run writes (records, full-table streams, its
state, a resumed foreign state, a month added later, a bad setting) is checked
on the real tap process, over small files.

Month indexes used below, (year*12 + month - 1): 2020-10 is 24249, so with 3
shards the months 2020-10..2021-05 fall to shards 0 1 2 0 1 2 0 1, and 2021-06
to shard 2.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_servers.gcs_server import GcsServer
from local_servers.http_server import FileServer
from singer_lite_core.errors import ConfigError, InputError
from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.sample_data import generate, trip_file_name, write_trip_file
from tap_nyc_taxi.settings import TapConfig, read_tap_config
from tap_nyc_taxi.taxi_types import taxi_type_named
from tap_nyc_taxi.trip_files import trip_files
from tests.support.singer_process import Run, run_connector, write_json
from tests.tap.recent_months import months_ago

MONTHS = ("2020-10", "2020-11", "2020-12", "2021-01", "2021-02", "2021-03", "2021-04", "2021-05")
TAXI_TYPES = ("yellow", "fhvhv")
ROWS = 40
SEED = 13
SHARD_COUNTS = (1, 2, 3, 5, 8, 13)
WHOLE_STREAMS = ("taxi_zones", "courses", "ratings")
ZONES = 265
BUCKET = "shards"


def _names(months: tuple[str, ...], taxi_types: tuple[str, ...] = TAXI_TYPES) -> set[str]:
    return {trip_file_name(taxi_type, month) for taxi_type in taxi_types for month in months}


ALL_FILES = _names(MONTHS)
# With 3 shards (see the module docstring).
OF_THREE = {
    0: _names(("2020-10", "2021-01", "2021-04")),
    1: _names(("2020-11", "2021-02", "2021-05")),
    2: _names(("2020-12", "2021-03")),
}


@pytest.fixture(scope="module")
def shard_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight months over a new year of two families, with the zone lookup and course ratings."""
    out = tmp_path_factory.mktemp("shards")
    generate(out, MONTHS, ROWS, SEED, TAXI_TYPES)
    return out


@pytest.fixture(scope="module")
def http(shard_dir: Path) -> Iterator[FileServer]:
    with FileServer(shard_dir, missing_as_access_denied=True) as server:
        yield server


def _config(tmp_path: Path, **settings: Any) -> TapConfig:
    defaults = {"taxi_types": list(TAXI_TYPES), "zone_lookup": "", "cache_dir": str(tmp_path / "cache")}
    return read_tap_config([str(write_json(tmp_path / "config.json", {**defaults, **settings}))])


def _files_read(tmp_path: Path, **settings: Any) -> list[str]:
    """The trip files the run would read, in reading order, of every configured family."""
    config = _config(tmp_path, **settings)
    remote = RemoteFiles(config.cache_dir, 1, 0.01, 10)
    return [
        opened.source.name for name in config.taxi_types for opened in trip_files(config, taxi_type_named(name), remote)
    ]


def _split(tmp_path: Path, count: int, **settings: Any) -> list[list[str]]:
    return [_files_read(tmp_path, shard={"count": count, "index": i}, **settings) for i in range(count)]


def _assert_a_partition(shards: list[list[str]], files: set[str]) -> None:
    read = Counter(name for shard in shards for name in shard)
    assert set(read) == files
    assert [name for name, times in read.items() if times > 1] == []


def _local_sources(directory: Path) -> dict[str, dict[str, Any]]:
    window = {"start_month": MONTHS[0], "end_month": MONTHS[-1]}
    return {
        "directory": {"source": str(directory)},
        "glob": {"source": str(directory / "*_tripdata_*.parquet")},
        "template": {"source": str(directory / "{taxi_type}_tripdata_{month}.parquet"), **window},
    }


@pytest.mark.parametrize("form", ["directory", "glob", "template"])
def test_shards_of_a_local_source_read_every_file_once(shard_dir: Path, tmp_path: Path, form: str) -> None:
    settings = _local_sources(shard_dir)[form]
    for count in SHARD_COUNTS:
        _assert_a_partition(_split(tmp_path, count, **settings), ALL_FILES)
    assert [set(files) for files in _split(tmp_path, 3, **settings)] == [OF_THREE[i] for i in range(3)]


def test_shards_of_an_http_source_ask_only_for_their_own_months(http: FileServer, tmp_path: Path) -> None:
    """Built names: each shard names (and pins, with a HEAD) only its months, for a base URL and a template."""
    window = {"start_month": MONTHS[0], "end_month": MONTHS[-1]}
    for source in (http.url, http.url + "/{taxi_type}_tripdata_{month}.parquet"):
        for count in SHARD_COUNTS:
            shards = []
            for index in range(count):
                http.clear_requests()
                files = _files_read(tmp_path, source=source, shard={"count": count, "index": index}, **window)
                assert {r.path.rsplit("/", 1)[-1] for r in http.requests} == set(files)
                shards.append(files)
            _assert_a_partition(shards, ALL_FILES)
    assert [set(files) for files in _split(tmp_path, 3, source=http.url, **window)] == [OF_THREE[i] for i in range(3)]


def test_shards_of_a_bucket_prefix_read_every_object_once(
    shard_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with GcsServer() as gcs:
        bucket = gcs.client().create_bucket(BUCKET)
        for name in ALL_FILES:
            bucket.blob(f"trip-data/{name}").upload_from_filename(str(shard_dir / name))
        for variable, value in gcs.client_env.items():
            monkeypatch.setenv(variable, value)
        shards = _split(tmp_path, 3, source=f"gs://{BUCKET}/trip-data")
    assert [set(files) for files in shards] == [OF_THREE[i] for i in range(3)]


def test_a_month_falls_to_the_same_shard_whatever_the_range(shard_dir: Path, tmp_path: Path) -> None:
    narrower = _split(tmp_path, 3, source=str(shard_dir), start_month="2021-01", end_month="2021-03")
    assert [set(files) for files in narrower] == [
        OF_THREE[i] & _names(("2021-01", "2021-02", "2021-03")) for i in range(3)
    ]


# --- the publication lag and gaps, judged over the shard's months ----------------------------------


@pytest.fixture(scope="module")
def recent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileServer]:
    """Yellow months seven to three months ago (the last two are not published yet), and 2021-01, 02, 04."""
    root = tmp_path_factory.mktemp("recent")
    for month in (*map(str, map(months_ago, range(7, 2, -1))), "2021-01", "2021-02", "2021-04"):
        write_trip_file(root, "yellow", month, 10, SEED)
    with FileServer(root, missing_as_access_denied=True) as server:
        yield server


def _http_shard(recent: FileServer, tmp_path: Path, count: int, index: int, **settings: Any) -> list[str]:
    return _files_read(
        tmp_path, source=recent.url, taxi_types=["yellow"], shard={"count": count, "index": index}, **settings
    )


def test_each_shard_ends_cleanly_at_its_first_unpublished_month(
    recent: FileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    start = str(months_ago(7))
    shards = [_http_shard(recent, tmp_path, 2, index, start_month=start) for index in range(2)]
    _assert_a_partition(shards, {trip_file_name("yellow", months_ago(n)) for n in range(7, 2, -1)})
    assert len([r for r in caplog.records if "is not published yet" in r.message]) == 2
    assert [r.message for r in caplog.records if r.levelname == "WARNING"] == []


def test_a_gap_is_a_warning_only_for_the_shard_whose_month_it_is(
    recent: FileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """2021-03 is missing; with 2 shards it is shard 0's month (24254 is even)."""
    caplog.set_level(logging.INFO)
    window = {"start_month": "2021-01", "end_month": "2021-04"}
    assert _http_shard(recent, tmp_path, 2, 1, **window) == [
        trip_file_name("yellow", m) for m in ("2021-02", "2021-04")
    ]
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []
    assert _http_shard(recent, tmp_path, 2, 0, **window) == [trip_file_name("yellow", "2021-01")]
    (warning,) = [r.message for r in caplog.records if r.levelname == "WARNING"]
    assert warning.startswith("yellow_trips: 2021-03 missing though published by now")


def test_a_shard_none_of_whose_months_is_there_fails(recent: FileServer, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"and no month of shard 1 of 3 from 2019-02 to 2019-11 is there"):
        _http_shard(recent, tmp_path, 3, 1, start_month="2019-01", end_month="2019-12")


def test_a_shard_with_no_month_in_the_range_ends_cleanly(
    recent: FileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Twelve shards over three months: shards 3 to 11 have nothing to read, and ask for nothing."""
    caplog.set_level(logging.INFO)
    window = {"start_month": "2021-01", "end_month": "2021-03"}
    recent.clear_requests()
    for index in range(3, 12):
        assert _http_shard(recent, tmp_path, 12, index, **window) == []
    assert recent.requests == []
    infos = [r.message for r in caplog.records if r.levelname == "INFO"]
    assert "yellow_trips: no month from 2021-01 to 2021-03 falls to shard 5 of 12; nothing to read" in infos
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_a_shard_with_none_of_the_listed_files_ends_cleanly(
    shard_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Thirteen shards over eight months (indexes 24249 to 24256 are 4 to 11 modulo 13): shard 12 has none."""
    caplog.set_level(logging.INFO)
    assert _files_read(tmp_path, source=str(shard_dir), shard={"count": 13, "index": 12}) == []
    infos = [r.message for r in caplog.records if r.levelname == "INFO"]
    assert (
        f"yellow_trips: none of the yellow trip files in {shard_dir} falls to shard 12 of 13; nothing to read" in infos
    )
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


# --- bad settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shard", "error"),
    [
        ({"count": 0, "index": 0}, "setting 'shard.count' must be at least 1, got 0"),
        ({"count": 3, "index": 3}, "setting 'shard.index' must be from 0 to 2 (shards count from 0), got 3"),
        ({"count": 3, "index": -1}, "setting 'shard.index' must be from 0 to 2 (shards count from 0), got -1"),
        ({"count": "3", "index": 0}, "setting 'shard.count' must be an integer, got '3'"),
        ({"count": 3, "index": 1.0}, "setting 'shard.index' must be an integer, got 1.0"),
        ({"count": True, "index": 0}, "setting 'shard.count' must be an integer, got True"),
        ({"count": 3}, """setting 'shard' must be {"count": N, "index": i}, got the keys ['count']"""),
        (
            {"count": 3, "index": 0, "of": 1},
            """setting 'shard' must be {"count": N, "index": i}, got the keys ['count', 'index', 'of']""",
        ),
        (3, "setting 'shard' must be a object, got 3"),
    ],
)
def test_a_bad_shard_setting_is_a_config_error(shard: Any, error: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        _config(tmp_path, source=str(tmp_path), shard=shard)
    assert str(raised.value) == error


def test_a_bad_shard_from_the_environment_is_one_line(tmp_path: Path) -> None:
    env = {"TAP_NYC_TAXI_SOURCE": str(tmp_path), "TAP_NYC_TAXI_SHARD": '{"count": 2, "index": 2}'}
    run = run_connector("tap-nyc-taxi", "--config", "ENV", env=env)
    assert run.returncode == 2
    assert run.stdout == b""
    assert run.stderr.strip().splitlines() == [
        "tap-nyc-taxi: error: setting 'shard.index' must be from 0 to 1 (shards count from 0), got 2"
    ]


# --- shard runs of the tap ------------------------------------------------------------------------


def _tap(work: Path, config: dict[str, Any], state: dict[str, Any] | None = None) -> Run:
    args: list[str | Path] = ["--config", write_json(work / "config.json", config)]
    if state is not None:
        args += ["--state", write_json(work / "state.json", state)]
    run = run_connector("tap-nyc-taxi", *args)
    assert run.returncode == 0, run.stderr
    return run


def _full_config(data: Path, cache: Path) -> dict[str, Any]:
    return {
        "source": str(data),
        "taxi_types": list(TAXI_TYPES),
        "zone_lookup": str(data / "taxi_zone_lookup.csv"),
        "courses": str(data / "courses.csv"),
        "ratings": str(data / "ratings.csv"),
        "cache_dir": str(cache),
    }


@pytest.fixture(scope="module")
def three_shards(shard_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Run]:
    """Shards 0 and 1 of 3 with a config file; shard 2 as Meltano may run it, `--config ENV` with every
    setting in the environment, the shard as JSON."""
    runs = []
    for index in range(2):
        work = tmp_path_factory.mktemp(f"shard-{index}")
        runs.append(_tap(work, {**_full_config(shard_dir, work / "cache"), "shard": {"count": 3, "index": index}}))
    work = tmp_path_factory.mktemp("shard-2")
    env = {
        f"TAP_NYC_TAXI_{name.upper()}": value if isinstance(value, str) else ",".join(value)
        for name, value in _full_config(shard_dir, work / "cache").items()
    }
    env["TAP_NYC_TAXI_SHARD"] = '{"count": 3, "index": 2}'
    run = run_connector("tap-nyc-taxi", "--config", "ENV", env=env)
    assert run.returncode == 0, run.stderr
    return [*runs, run]


def test_three_shard_runs_emit_every_trip_row_once(three_shards: list[Run]) -> None:
    rows = Counter(
        (record["source_file"], record["source_row"])
        for run in three_shards
        for taxi_type in TAXI_TYPES
        for record in run.records(f"{taxi_type}_trips")
    )
    assert set(rows) == {(name, row) for name in ALL_FILES for row in range(1, ROWS + 1)}
    assert set(rows.values()) == {1}
    for index, run in enumerate(three_shards):
        files = {r["source_file"] for t in TAXI_TYPES for r in run.records(f"{t}_trips")}
        assert files == OF_THREE[index]


def test_only_shard_0_syncs_the_full_table_streams(three_shards: list[Run]) -> None:
    first, *others = three_shards
    assert [len(first.records(stream)) > 0 for stream in WHOLE_STREAMS] == [True] * 3
    assert len(first.records("taxi_zones")) == ZONES
    for index, run in enumerate(others, start=1):
        streams = {m["stream"] for m in run.messages if m["type"] in ("SCHEMA", "RECORD")}
        assert streams == {f"{t}_trips" for t in TAXI_TYPES}
        for stream in WHOLE_STREAMS:
            (line,) = [line for line in run.stderr.splitlines() if f" {stream}: skipped" in line]
            assert " INFO " in line
            assert f"{stream}: skipped, shard {index} of 3: it is not split by month, so shard 0 reads it" in line


def test_each_shard_state_bookmarks_its_own_files_complete(three_shards: list[Run]) -> None:
    for index, run in enumerate(three_shards):
        bookmarks = run.states()[-1]["bookmarks"]
        done = {
            name: (entry["rows_done"], entry["complete"])
            for stream in bookmarks.values()
            for name, entry in stream["files"].items()
        }
        assert done == dict.fromkeys(OF_THREE[index], (ROWS, True))


def test_a_state_from_an_unsharded_run_resumes_only_this_shards_files(shard_dir: Path, tmp_path: Path) -> None:
    """Shard 1 of 3 takes over an unsharded run's state: its finished file is skipped, its half-read
    one resumed, its unread one read, and shard 0's half-read file is neither read nor forgotten."""
    yellow = {"taxi_types": ["yellow"], "zone_lookup": "", "cache_dir": str(tmp_path / "cache")}
    remote = RemoteFiles(tmp_path / "cache", 1, 0.01, 10)
    pinned = {
        opened.source.name: opened.fingerprint.as_state()
        for opened in trip_files(_config(tmp_path, source=str(shard_dir), **yellow), taxi_type_named("yellow"), remote)
    }
    done, half, unread, foreign = (trip_file_name("yellow", m) for m in ("2020-11", "2021-02", "2021-05", "2021-01"))
    files = {
        done: {**pinned[done], "rows_done": ROWS, "complete": True},
        half: {**pinned[half], "rows_done": 15, "complete": False},
        foreign: {**pinned[foreign], "rows_done": 10, "complete": False},
    }
    state = {"bookmarks": {"yellow_trips": {"files": files}}}
    run = _tap(tmp_path, {**yellow, "source": str(shard_dir), "shard": {"count": 3, "index": 1}}, state)
    read = Counter(r["source_file"] for r in run.records("yellow_trips"))
    assert read == {half: ROWS - 15, unread: ROWS}
    assert min(r["source_row"] for r in run.records("yellow_trips") if r["source_file"] == half) == 16
    final = run.states()[-1]["bookmarks"]["yellow_trips"]["files"]
    assert final[foreign] == files[foreign]
    assert {name: (e["rows_done"], e["complete"]) for name, e in final.items() if name != foreign} == dict.fromkeys(
        (done, half, unread), (ROWS, True)
    )


def test_a_month_added_later_is_read_by_its_shard_alone(shard_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in _names(MONTHS, ("yellow",)):
        shutil.copy(shard_dir / name, data / name)
    config = {"source": str(data), "taxi_types": ["yellow"], "zone_lookup": "", "cache_dir": str(tmp_path / "cache")}
    shard_2 = {**config, "shard": {"count": 3, "index": 2}}
    first = _tap(tmp_path, shard_2)
    assert {r["source_file"] for r in first.records("yellow_trips")} == _names(("2020-12", "2021-03"), ("yellow",))

    added = write_trip_file(data, "yellow", "2021-06", ROWS, SEED).name
    later = _tap(tmp_path, shard_2, first.states()[-1])
    assert Counter(r["source_file"] for r in later.records("yellow_trips")) == {added: ROWS}
    for index in (0, 1):
        assert added not in _files_read(tmp_path, **config, shard={"count": 3, "index": index})
