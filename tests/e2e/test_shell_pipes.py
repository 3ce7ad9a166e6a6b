"""The suite run the Unix way, through bash, exactly as a cron line would:

    set -o pipefail
    tap-nyc-taxi --config tap.json --state state.json 2> tap.log \\
      | TARGET --config target.json 2> target.log > state.out \\
      && tail -1 state.out > state.json

What happens, step by step:

* The shell truncates state.out before either program starts; the tap reads
  state.json (empty on the first run, which the tap takes as no state).
* The target prints a STATE value line only once every record before it is
  committed, so each line of state.out is a safe place to resume from.
* `set -o pipefail` makes the pipeline's status the status of the last
  command in it that exited non-zero, instead of the status of the target
  alone. When the tap fails (a corrupt file), it exits 1 after writing what
  it had; the target sees a clean end of input, commits everything it
  received, echoes the matching STATE and exits 0 - yet the pipeline's
  status is 1, so `&&` skips `tail` and state.json keeps the previous run's
  value. Without pipefail the status would be the target's 0, the failure
  would go unnoticed, and state.json would silently move on to a partial run.
  When the target fails, the tap gets EPIPE on its next write and exits 1
  too; the status is non-zero either way.
* Records the target committed after the last STATE kept in state.json are
  sent again by the next run and absorbed by the upsert on the stream key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.streams import TRIP_STREAMS
from tests.e2e.harness import (
    MONTHS,
    NEXT_MONTH,
    ROWS_PER_MONTH,
    STATE_EVERY_ROWS,
    TAXI_TYPES,
    all_complete,
    assert_equals_source,
    bookmarked_files,
    fingerprint,
    landed_rows,
    prepare_work,
    source_rows,
    trip_file,
    write_months,
)
from tests.support.backend import Backend
from tests.support.singer_process import BIN

PIPELINE = (
    "set -o pipefail; "
    "tap-nyc-taxi --config tap.json --state state.json 2> tap.log "
    "| {target} --config target.json 2> target.log > state.out "
    "&& tail -1 state.out > state.json"
)
LOADED = re.compile(r"stream '(\w+)': (\d+) records loaded")
TRIP_STREAM_NAMES = tuple(TRIP_STREAMS.values())


@dataclass(frozen=True)
class ShellPipe:
    """One working directory holding the configs, the state and the logs of the pipeline."""

    work: Path
    program: str

    @classmethod
    def create(cls, work: Path, data: Path, backend: Backend) -> ShellPipe:
        prepare_work(work, data, backend)
        (work / "state.json").write_text("")
        return cls(work, backend.program)

    def run(self) -> int:
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        command = ["bash", "-c", PIPELINE.format(target=self.program)]
        return subprocess.run(command, check=False, cwd=self.work, env=env, timeout=300).returncode

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text()

    def loaded(self) -> dict[str, int]:
        """Records the target received per trip stream in the last run, from its closing log lines."""
        counts = {stream: int(count) for stream, count in LOADED.findall(self.log("target"))}
        return {stream: counts.get(stream, 0) for stream in TRIP_STREAM_NAMES}

    def saved_state(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads((self.work / "state.json").read_text())
        return state

    def last_echoed_state(self) -> dict[str, Any]:
        """The target's last STATE line of the last run; {} when it echoed none."""
        lines = (self.work / "state.out").read_text().splitlines()
        return json.loads(lines[-1]) if lines else {}


def test_second_run_loads_nothing_and_a_new_month_alone(backend: Backend, data_dir: Path, tmp_path: Path) -> None:
    pipe = ShellPipe.create(tmp_path / "work", data_dir, backend)
    assert pipe.run() == 0, pipe.log("tap") + pipe.log("target")
    assert pipe.loaded() == dict.fromkeys(TRIP_STREAM_NAMES, ROWS_PER_MONTH * len(MONTHS))
    assert_equals_source(backend, data_dir)
    assert bookmarked_files(pipe.saved_state()) == all_complete(MONTHS)
    before = {stream: fingerprint(stream, landed_rows(backend, stream)) for stream in TRIP_STREAM_NAMES}

    assert pipe.run() == 0, pipe.log("tap") + pipe.log("target")
    assert pipe.loaded() == dict.fromkeys(TRIP_STREAM_NAMES, 0)
    assert pipe.log("tap").count("already loaded; skipping") == len(TAXI_TYPES) * len(MONTHS)
    assert {stream: fingerprint(stream, landed_rows(backend, stream)) for stream in TRIP_STREAM_NAMES} == before
    assert bookmarked_files(pipe.saved_state()) == all_complete(MONTHS)

    write_months(data_dir, [NEXT_MONTH])
    assert pipe.run() == 0, pipe.log("tap") + pipe.log("target")
    assert pipe.loaded() == dict.fromkeys(TRIP_STREAM_NAMES, ROWS_PER_MONTH)
    assert_equals_source(backend, data_dir)
    assert bookmarked_files(pipe.saved_state()) == all_complete((*MONTHS, NEXT_MONTH))


BAD_ROW = 2_200  # 1-based; in the third batch, so two batches and their STATEs go out first


def truncate(path: Path) -> None:
    """Cut the file in half: its footer is gone, so no row of it can be read."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def fractional_passenger_count(path: Path) -> None:
    """A passenger count of 1.5 far into the file: the tap stops at that row's batch."""
    table = pq.read_table(path)
    index = table.column_names.index("passenger_count")
    counts = table.column(index).to_pylist()
    counts[BAD_ROW - 1] = 1.5
    table = table.set_column(index, "passenger_count", pa.array(counts, pa.float64()))
    pq.write_table(table, path, row_group_size=STATE_EVERY_ROWS)


ROWS_BEFORE_BAD_BATCH = (BAD_ROW - 1) // STATE_EVERY_ROWS * STATE_EVERY_ROWS


# An unreadable file is a tap-side matter, so BigQuery, whose loads cost most, gets the mid-file case only.
@pytest.mark.parametrize(
    ("backend", "corrupt", "rows_before_failure"),
    [
        ("postgres", truncate, 0),
        ("postgres", fractional_passenger_count, ROWS_BEFORE_BAD_BATCH),
        ("bigquery", fractional_passenger_count, ROWS_BEFORE_BAD_BATCH),
    ],
    ids=["postgres-truncated", "postgres-bad-value", "bigquery-bad-value"],
    indirect=["backend"],
)
def test_failed_tap_keeps_state_and_a_rerun_repairs(
    backend: Backend, data_dir: Path, tmp_path: Path, corrupt: Callable[[Path], None], rows_before_failure: int
) -> None:
    last = MONTHS[-1]
    held_back = tmp_path / "held_back"
    held_back.mkdir()
    for taxi_type in TAXI_TYPES:
        shutil.move(trip_file(data_dir, taxi_type, last), held_back)
    pipe = ShellPipe.create(tmp_path / "work", data_dir, backend)
    assert pipe.run() == 0, pipe.log("tap") + pipe.log("target")
    saved = (pipe.work / "state.json").read_bytes()

    for taxi_type in TAXI_TYPES:
        shutil.copy(trip_file(held_back, taxi_type, last), data_dir)
    bad_file = trip_file(data_dir, "yellow", last)
    corrupt(bad_file)
    assert pipe.run() != 0
    assert f"tap-nyc-taxi: error: stream 'yellow_trips': {bad_file.name}" in pipe.log("tap")
    assert (pipe.work / "state.json").read_bytes() == saved
    # The target committed what the tap sent before it failed and said so in state.out;
    # the tap sent nothing after its last STATE, so the table holds exactly that much.
    echoed = bookmarked_files(pipe.last_echoed_state()).get(bad_file.name, (0, False))
    assert echoed == (rows_before_failure, False)
    earlier = source_rows(data_dir, "yellow", MONTHS[:-1])
    partial = source_rows(held_back, "yellow", [last])[:rows_before_failure]
    expected_yellow = fingerprint("yellow_trips", earlier + partial)
    assert fingerprint("yellow_trips", landed_rows(backend, "yellow_trips")) == expected_yellow
    for taxi_type in ("green", "fhv", "fhvhv"):  # streams after the failed one never started
        stream = TRIP_STREAMS[taxi_type]
        expected = source_rows(data_dir, taxi_type, MONTHS[:-1])
        assert fingerprint(stream, landed_rows(backend, stream)) == fingerprint(stream, expected)

    shutil.copy(trip_file(held_back, "yellow", last), data_dir)
    assert pipe.run() == 0, pipe.log("tap") + pipe.log("target")
    assert_equals_source(backend, data_dir)
    assert bookmarked_files(pipe.saved_state()) == all_complete(MONTHS)
