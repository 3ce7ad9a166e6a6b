"""Interrupted runs resume from the last STATE a target echoed: nothing lost, nothing twice.

A target commits records up to a STATE and echoes it; whatever the tap wrote
after that STATE is lost with the crash. So the records a pipeline keeps are
those before the last STATE of each interrupted run, plus the resumed run's
(tests.support.singer_process.committed_over_kills).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tap_nyc_taxi.sample_data import write_trip_file
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES
from tests.support.singer_process import Run, committed_over_kills, run_connector, write_json

TRIPS = tuple(f"{taxi_type}_trips" for taxi_type in TAXI_TYPE_NAMES)


def _trip_keys(messages: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [
        (m["stream"], m["record"]["source_file"], m["record"]["source_row"])
        for m in messages
        if m["type"] == "RECORD" and m["stream"] in TRIPS
    ]


@pytest.fixture(scope="module")
def reference(full_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Run:
    work = tmp_path_factory.mktemp("reference")
    run = run_connector(
        "tap-nyc-taxi", "--config", write_json(work / "c.json", {**full_config, "state_every_rows": 250})
    )
    assert run.returncode == 0, run.stderr
    return run


@pytest.mark.parametrize("cut", [1, 5, 13, 24, 35])
def test_resuming_from_any_state_completes_the_output_exactly(
    cut: int, reference: Run, full_config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    states = [i for i, m in enumerate(reference.messages) if m["type"] == "STATE"]
    assert len(states) > cut
    before = reference.messages[: states[cut - 1] + 1]
    resumed = run_tap({**full_config, "state_every_rows": 250}, reference.messages[states[cut - 1]]["value"])
    assert resumed.returncode == 0, resumed.stderr
    assert _trip_keys(before) + _trip_keys(resumed.messages) == _trip_keys(reference.messages)
    assert resumed.states()[-1] == reference.states()[-1]


def test_repeated_kills_lose_and_duplicate_nothing(full_config: dict[str, Any], tmp_path: Path) -> None:
    config = write_json(
        tmp_path / "c.json", {**full_config, "state_every_rows": 100, "cache_dir": str(tmp_path / "cache")}
    )
    rng = random.Random(3)
    limits = [rng.randint(50, 3000) for _ in range(6)]
    kept = committed_over_kills("tap-nyc-taxi", config, tmp_path / "state.json", [*limits, None])
    keys = _trip_keys(kept)
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    expected = {
        (f"{t}_trips", f"{t}_tripdata_2021-0{m}.parquet", row)
        for t in TAXI_TYPE_NAMES
        for m in (1, 2)
        for row in range(1, 1501)
    }
    assert set(keys) == expected


def test_a_changed_file_is_read_again_from_the_start(
    tmp_path: Path, run_tap: Callable[..., Run], sample_dir: Path
) -> None:
    source = tmp_path / "trips"
    source.mkdir()
    for month in ("2021-01", "2021-02"):
        write_trip_file(source, "yellow", month, 300, 1)
    config = {"source": str(source), "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv")}
    first = run_tap(config)
    assert first.returncode == 0
    again = run_tap(config, first.states()[-1])
    assert again.records("yellow_trips") == []
    write_trip_file(source, "yellow", "2021-02", 350, 2)
    changed = run_tap(config, first.states()[-1])
    rows = [(r["source_file"], r["source_row"]) for r in changed.records("yellow_trips")]
    assert rows == [("yellow_tripdata_2021-02.parquet", n) for n in range(1, 351)]
    assert "changed since it was bookmarked" in changed.stderr
    assert (
        changed.states()[-1]["bookmarks"]["yellow_trips"]["files"]["yellow_tripdata_2021-02.parquet"]["rows_done"]
        == 350
    )


def test_full_table_in_the_catalog_ignores_bookmarks(
    full_config: dict[str, Any], run_tap: Callable[..., Run], reference: Run
) -> None:
    catalog = run_tap(full_config, None, None, "--discover")
    entries = json.loads(catalog.stdout)["streams"]
    for entry in entries:
        root = next(m for m in entry["metadata"] if m["breadcrumb"] == [])
        root["metadata"]["selected"] = entry["stream"] == "green_trips"
        root["metadata"]["replication-method"] = "FULL_TABLE"
    run = run_tap(full_config, reference.states()[-1], {"streams": entries})
    assert run.returncode == 0, run.stderr
    assert len(run.records("green_trips")) == 3000
    assert run.states()[-1] == reference.states()[-1]
