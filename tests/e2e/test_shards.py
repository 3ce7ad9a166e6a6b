"""Three shards of one configuration loaded side by side into one schema or dataset, one of
them killed after a commit and resumed from its own state: the tables must then equal the
source files exactly, and each shard's state must hold its own files, complete.

Each shard is a `tap | target` relayed as in test_crash_recovery (the state file kept
from the target's echoes); the three run at once, so their targets create the same
tables and upsert into them concurrently, and the resumed shard loads while the others
may still be loading. With three shards, the harness's months 2021-01, 02 and 03 (month
indexes 24252 to 24254) fall to shards 0, 1 and 2. Two families of 1,000 rows a month keep
the BigQuery emulator's jobs few: one load and MERGE per file.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BACKENDS
from tests.e2e.harness import (
    MONTHS,
    STATE_EVERY_ROWS,
    all_complete,
    assert_equals_source,
    bookmarked_files,
    write_months,
)
from tests.e2e.test_crash_recovery import Attempt, Fault, RelayedPipeline
from tests.support.backend import Backend
from tests.support.singer_process import write_json

SHARDS = 3
VICTIM = 1
TAXI_TYPES = ("yellow", "fhvhv")
# One block of the tap's output (it sends state_every_rows at a time) and one commit per file.
ROWS = STATE_EVERY_ROWS
COMMIT_EVERY_ROWS = ROWS
# The victim's relay stops just after its yellow file (about 0.66 MB of its 1.4) until its
# target has committed it; a target echoes a commit's STATE when it reads its next message,
# so the relay then copies a little more and kills the target once that STATE came back:
# mid-run, after a commit, whatever the machine's speed.
PAUSE_AFTER_BYTES = 760_000
KILL_AFTER_BYTES = PAUSE_AFTER_BYTES + 100_000
COMMITS_BEFORE_KILL = 1
WAIT_SECONDS = 60
COMMITTED = "batch_processing_time"


@dataclass
class ShardedLoad:
    backend: Backend
    data: Path
    pipelines: list[RelayedPipeline]
    attempts: list[list[Attempt]]
    state_at_kill: dict[str, tuple[int, bool]]
    waits: list[bool]
    """Whether each wait of the victim's faults saw what it waited for before its time ran out."""


def _wait(done: Callable[[], bool], target: subprocess.Popen[bytes]) -> bool:
    """Whether `done` came true while the target ran, within WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not done():
        if target.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _kill_after_commits(pipeline: RelayedPipeline, waits: list[bool]) -> tuple[tuple[int, Fault], tuple[int, Fault]]:
    """The two faults of the victim's first run: wait for its commits, then for their STATE, then kill."""

    def commits() -> int:
        log = (pipeline.work / "target.log").read_text()
        return sum(COMMITTED in line and '"succeeded"' in line for line in log.splitlines())

    def await_commits(tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes]) -> bool:
        waits.append(_wait(lambda: commits() >= COMMITS_BEFORE_KILL, target))
        return True

    def kill_after_a_state(tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes]) -> bool:
        waits.append(_wait(lambda: pipeline.rows_bookmarked() >= COMMITS_BEFORE_KILL * COMMIT_EVERY_ROWS, target))
        target.kill()
        target.wait()
        return True

    return (PAUSE_AFTER_BYTES, await_commits), (KILL_AFTER_BYTES, kill_after_a_state)


def _shard_pipeline(work: Path, data: Path, backend: Backend, index: int) -> RelayedPipeline:
    pipeline = RelayedPipeline.create(work, data, backend, COMMIT_EVERY_ROWS)
    tap_json = work / "tap.json"
    shard = {"taxi_types": list(TAXI_TYPES), "shard": {"count": SHARDS, "index": index}}
    write_json(tap_json, {**json.loads(tap_json.read_text()), **shard})
    return pipeline


def _load(backend: Backend, data: Path, pipelines: list[RelayedPipeline]) -> ShardedLoad:
    """The three shards at once; the victim killed, then resumed at once, while the others may still run."""
    at_kill: dict[str, tuple[int, bool]] = {}
    waits: list[bool] = []

    def shard(index: int) -> list[Attempt]:
        pipeline = pipelines[index]
        if index != VICTIM:
            return [pipeline.run()]
        killed = pipeline.run(*_kill_after_commits(pipeline, waits))
        at_kill.update(bookmarked_files(json.loads(pipeline.state_file.read_bytes())))
        return [killed, pipeline.run()]

    with ThreadPoolExecutor(SHARDS) as pool:
        attempts = list(pool.map(shard, range(SHARDS)))
    return ShardedLoad(backend, data, pipelines, attempts, at_kill, waits)


@pytest.fixture(scope="module")
def shard_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("shard-months") / "data"
    write_months(data, MONTHS, TAXI_TYPES, ROWS)
    return data


@pytest.fixture(scope="module", params=list(BACKENDS))
def loaded(
    request: pytest.FixtureRequest, shard_months: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ShardedLoad]:
    service, open_backend = BACKENDS[request.param]
    root = tmp_path_factory.mktemp(f"shards-{request.param}")
    with open_backend(request.getfixturevalue(service), root) as backend:
        pipelines = [_shard_pipeline(root / f"shard-{i}", shard_months, backend, i) for i in range(SHARDS)]
        yield _load(backend, shard_months, pipelines)


def test_every_shard_ends_successfully(loaded: ShardedLoad) -> None:
    for pipeline, attempts in zip(loaded.pipelines, loaded.attempts, strict=True):
        assert attempts[-1].ok, (pipeline.work / "target.log").read_text()[-3000:]


def test_the_tables_equal_the_source_files(loaded: ShardedLoad) -> None:
    """Counts, distinct keys, exact money sums, time bounds and a hash over all rows, per trip table;
    the zone lookup once, though three shards ran."""
    assert_equals_source(loaded.backend, loaded.data, TAXI_TYPES)


def test_the_killed_shard_resumed_from_its_own_state(loaded: ShardedLoad) -> None:
    killed, resumed = loaded.attempts[VICTIM]
    assert loaded.waits == [True, True], "the kill did not fall after a commit and its echoed STATE"
    assert killed.fault_fired
    assert not killed.ok
    assert resumed.ok
    rows_at_kill = sum(rows for rows, _ in loaded.state_at_kill.values())
    assert COMMITS_BEFORE_KILL * COMMIT_EVERY_ROWS <= rows_at_kill < len(TAXI_TYPES) * ROWS
    assert set(loaded.state_at_kill) <= set(all_complete([MONTHS[VICTIM]], TAXI_TYPES, ROWS))
    log = (loaded.pipelines[VICTIM].work / "tap.log").read_text()
    assert "already loaded; skipping" in log or "resuming" in log


def test_each_shard_state_holds_its_own_month_complete(loaded: ShardedLoad) -> None:
    for index, pipeline in enumerate(loaded.pipelines):
        state = json.loads(pipeline.state_file.read_bytes())
        assert bookmarked_files(state) == all_complete([MONTHS[index]], TAXI_TYPES, ROWS)


def test_only_shard_0_read_the_zone_lookup(loaded: ShardedLoad) -> None:
    for index, pipeline in enumerate(loaded.pipelines):
        skipped = "taxi_zones: skipped, shard" in (pipeline.work / "tap.log").read_text()
        assert skipped == (index != 0)
