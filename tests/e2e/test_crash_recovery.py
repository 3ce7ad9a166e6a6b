"""Crashes at random points of a multi-month load, then a restart from the last
STATE the target echoed, until one run completes: the tables must then equal
the source files exactly (no duplicates, no gaps, same values).

The relay here stands where the shell's pipe would: it copies the tap's
output to the target byte for byte and, after a seeded random number of
bytes, injects the fault - SIGKILL to the target, SIGKILL to the tap (the
target then sees input cut mid-line), or an immediate stop and restart of
the database. Like demo/pipeline.py, every STATE line the target prints is
written to the state file at once, so the file always holds the newest
committed state, which is what the next attempt resumes from.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psycopg2
import pytest

from local_servers.postgres_cluster import PostgresCluster, debian_binaries, throwaway_cluster
from local_servers.postgres_server import PostgresServer
from tests.e2e.harness import MONTHS, all_complete, assert_equals_source, bookmarked_files, prepare_work
from tests.support.backend import Backend
from tests.support.postgres_backend import postgres_backend
from tests.support.prerequisites import missing_prerequisite
from tests.support.singer_process import BIN

FAULTS_PER_TEST = 4
# The first run writes about 13 MB; four cuts of at most 2.5 MB leave every
# attempt with more output than its cut, so each fault really hits a live run.
FAULT_BYTES = (50_000, 2_500_000)
CHUNK = 1 << 16
# Commits every ~0.5 MB of input, so most faults fall after some commit and the next run resumes mid-way.
COMMIT_EVERY_ROWS = 1_000

Fault = Callable[[subprocess.Popen[bytes], subprocess.Popen[bytes]], bool]
"""Injected once; returns whether the relay should go on copying the tap's output."""


@dataclass(frozen=True)
class Attempt:
    tap_code: int
    target_code: int
    fault_fired: bool

    @property
    def ok(self) -> bool:
        return self.tap_code == 0 and self.target_code == 0


@dataclass
class RelayedPipeline:
    """`tap | target` through this process, with the state file kept from the target's stdout."""

    work: Path
    program: str
    echoed: list[bytes] = field(default_factory=list)

    @classmethod
    def create(
        cls, work: Path, data: Path, backend: Backend, commit_every_rows: int = COMMIT_EVERY_ROWS
    ) -> RelayedPipeline:
        prepare_work(work, data, backend, commit_every_rows)
        return cls(work, backend.program)

    @property
    def state_file(self) -> Path:
        return self.work / "state.json"

    def run(self, *faults: tuple[int, Fault]) -> Attempt:
        """One attempt; each fault is injected once the relay has copied its offset in bytes."""
        tap_command = [str(BIN / "tap-nyc-taxi"), "--config", str(self.work / "tap.json")]
        if self.state_file.exists():
            tap_command += ["--state", str(self.state_file)]
        target_command = [str(BIN / self.program), "--config", str(self.work / "target.json")]
        with open(self.work / "tap.log", "ab") as tap_log, open(self.work / "target.log", "ab") as target_log:
            tap = subprocess.Popen(tap_command, stdout=subprocess.PIPE, stderr=tap_log, bufsize=0)
            target = subprocess.Popen(
                target_command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=target_log, bufsize=0
            )
            keeper = threading.Thread(target=self._keep_states, args=(target.stdout,))
            keeper.start()
            fired = self._relay(tap, target, sorted(faults, key=lambda f: f[0]))
            codes = tap.wait(timeout=300), target.wait(timeout=300)
            keeper.join()
        return Attempt(*codes, fired)

    def rows_bookmarked(self) -> int:
        if not self.state_file.exists():
            return 0
        return sum(rows for rows, _ in bookmarked_files(json.loads(self.state_file.read_bytes())).values())

    def _relay(
        self, tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes], faults: list[tuple[int, Fault]]
    ) -> bool:
        """Copy the tap's output to the target; True when every fault was injected."""
        assert tap.stdout is not None
        assert target.stdin is not None
        relayed, pending = 0, list(faults)
        try:
            while chunk := tap.stdout.read(CHUNK):
                while pending and relayed + len(chunk) >= pending[0][0]:
                    (offset, fault), pending = pending[0], pending[1:]
                    head, chunk = chunk[: offset - relayed], chunk[offset - relayed :]
                    target.stdin.write(head)
                    relayed += len(head)
                    if not fault(tap, target):
                        return not pending
                target.stdin.write(chunk)
                relayed += len(chunk)
        except BrokenPipeError:
            tap.kill()
        finally:
            with contextlib.suppress(BrokenPipeError):
                target.stdin.close()
        return not pending

    def _keep_states(self, stream: IO[bytes]) -> None:
        partial = self.state_file.with_name("state.json.tmp")
        for line in stream:
            if line.endswith(b"\n") and line.strip():
                self.echoed.append(line)
                partial.write_bytes(line)
                os.replace(partial, self.state_file)


def kill_target(tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes]) -> bool:
    target.send_signal(signal.SIGKILL)
    target.wait()
    return True  # the next write fails with EPIPE and the relay kills the tap, as a pipe would


def kill_tap(tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes]) -> bool:
    tap.send_signal(signal.SIGKILL)
    tap.wait()
    return False  # nothing after the cut reaches the target: its input ends mid-line


def recover_through_faults(pipeline: RelayedPipeline, fault: Fault, seed: int) -> None:
    """Inject the fault FAULTS_PER_TEST times at seeded random offsets, then run to completion."""
    rng = random.Random(seed)
    progress = 0
    for _ in range(FAULTS_PER_TEST):
        attempt = pipeline.run((rng.randrange(*FAULT_BYTES), fault))
        assert attempt.fault_fired, "the run ended before its fault: the test lost its point"
        assert not attempt.ok
        assert pipeline.rows_bookmarked() >= progress, "the saved state went backwards"
        progress = pipeline.rows_bookmarked()
    final = pipeline.run()
    assert final.ok, (pipeline.work / "target.log").read_text()[-3000:]


def assert_complete(pipeline: RelayedPipeline, backend: Backend, data: Path) -> None:
    assert_equals_source(backend, data)
    assert bookmarked_files(json.loads(pipeline.state_file.read_bytes())) == all_complete(MONTHS)


@pytest.mark.parametrize(("fault", "seed"), [(kill_target, 1), (kill_tap, 2)], ids=["target-killed", "tap-killed"])
def test_killed_pipeline_resumes_to_an_exact_copy(
    backend: Backend, data_dir: Path, tmp_path: Path, fault: Fault, seed: int
) -> None:
    pipeline = RelayedPipeline.create(tmp_path / "work", data_dir, backend)
    recover_through_faults(pipeline, fault, seed)
    assert_complete(pipeline, backend, data_dir)


# --- the database restarted under the target ------------------------------------------------------

RESTARTS = 2
# Larger batches than the kill tests: a load transaction must be open long enough for the watcher to see it.
RESTART_COMMIT_EVERY_ROWS = 6_000
TARGET_APPLICATION = "target-postgres-lite"
IN_TRANSACTION = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND xact_start IS NOT NULL"


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: stopping the shared one would break every other test."""
    binaries = debian_binaries()
    if binaries is None:
        missing_prerequisite("restarting a server needs Debian's PostgreSQL binaries (apt-get install postgresql)")
    with throwaway_cluster(binaries, fast=True, password="e2e") as cluster:
        yield cluster


@dataclass
class RestartInTransaction:
    """A fault that, while the relay goes on feeding the target, waits until the
    target is inside a load transaction, then stops the server with -m immediate
    (no checkpoint, every session cut) and starts it again."""

    cluster: PostgresCluster
    caught: list[bool] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _one_at_a_time: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes]) -> bool:
        thread = threading.Thread(target=self._restart, args=(target,))
        thread.start()
        self._threads.append(thread)
        return True

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _restart(self, target: subprocess.Popen[bytes]) -> None:
        with self._one_at_a_time:
            self._restart_once(target)

    def _restart_once(self, target: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 60
        with contextlib.closing(psycopg2.connect(self.cluster.dsn())) as watcher, watcher.cursor() as cur:
            watcher.autocommit = True
            while time.monotonic() < deadline and target.poll() is None:
                cur.execute(IN_TRANSACTION, (TARGET_APPLICATION,))
                [(loading,)] = cur.fetchall()
                if loading:
                    self.caught.append(True)
                    break
        self.cluster.stop(immediate=True)
        self.cluster.start(fast=True)


def test_database_restarted_mid_batch(data_dir: Path, tmp_path: Path, cluster: PostgresCluster) -> None:
    fault = RestartInTransaction(cluster)
    offsets = sorted(random.Random(3).sample(range(*FAULT_BYTES), RESTARTS))
    with postgres_backend(PostgresServer(cluster.dsn(), cluster.bin_dir), tmp_path) as backend:
        pipeline = RelayedPipeline.create(tmp_path / "work", data_dir, backend, RESTART_COMMIT_EVERY_ROWS)
        attempt = pipeline.run(*((offset, fault) for offset in offsets))
        fault.join()
        assert attempt.fault_fired, "the run ended before its restarts: the test lost its point"
        assert fault.caught == [True] * RESTARTS, "a restart fell outside every load transaction"
        assert "transient database error, retrying" in (pipeline.work / "target.log").read_text()
        if not attempt.ok:  # retries may run out while the server recovers; the state says where to go on
            assert pipeline.run().ok, (pipeline.work / "target.log").read_text()[-3000:]
        assert_complete(pipeline, backend, data_dir)
