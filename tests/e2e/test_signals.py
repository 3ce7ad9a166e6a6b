"""SIGTERM and Ctrl-C on either side of a running `tap-nyc-taxi | target` pipe.

Meltano, Airflow and Kubernetes stop a job with SIGTERM; Ctrl-C in a
terminal sends SIGINT to the whole process group of the pipe. Either way
each program must stop within seconds with one error line and exit code
128 + the signal (143, 130), never a traceback however many signals come;
the tap at a line boundary with a final STATE, the target after the load in
flight with the STATE its committed rows justify, and nothing for the rows
it did not commit. Each test then resumes from the last STATE the target
printed and checks that the tables equal the source files: no duplicates,
no gaps.

The pipes are real: the tap's stdout is the target's stdin (os-level, as a
shell makes it), except where the test must see the tap's own bytes, and
there it reads them itself and copies them on. Commits every 1,000 records,
as often as the tap writes a STATE, so that every commit ends where a STATE
does: the target's last STATE then says exactly how many rows each table
holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from tap_nyc_taxi.streams import TRIP_STREAMS
from tests.e2e.harness import (
    MONTHS,
    ROWS_PER_MONTH,
    STATE_EVERY_ROWS,
    all_complete,
    assert_equals_source,
    bookmarked_files,
    prepare_work,
)
from tests.support.backend import Backend
from tests.support.singer_process import BIN
from tests.support.singer_text import lines, record, schema_message, state, states

COMMIT_EVERY_ROWS = STATE_EVERY_ROWS
STOP_SECONDS = 5.0
"""How long either program may take to stop once signalled."""
RUN_SECONDS = 120.0
TAP = "tap-nyc-taxi"

# The signals go to real processes of one back end: stopping is the core's, the same for every target.
postgres_only = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


@dataclass
class Pipeline:
    """`tap | target` in a working directory, started by `start`; the
    target's STATE lines are kept as they come, and `state.json` holds the
    last one, to resume from."""

    work: Path
    program: str
    tap: subprocess.Popen[bytes]
    target: subprocess.Popen[bytes]
    echoed: list[dict[str, Any]] = field(default_factory=list)
    first_state: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def tap_bytes(self) -> bytes:
        """What the tap wrote, when the test relayed it."""
        return (self.work / "tap.out").read_bytes()

    def wait(self, timeout: float = RUN_SECONDS) -> tuple[int, int]:
        codes = self.tap.wait(timeout=timeout), self.target.wait(timeout=timeout)
        for thread in self.threads:
            thread.join(timeout=timeout)
        return codes

    def error_lines(self, name: str) -> list[str]:
        return [line for line in self.log(name).splitlines() if ": error: " in line]

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text()

    def assert_no_traceback(self) -> None:
        for name in ("tap", "target"):
            assert "Traceback" not in self.log(name), self.log(name)

    def last_state(self) -> dict[str, Any]:
        assert self.echoed, self.log("target")
        return self.echoed[-1]

    def keep_states(self, stream: IO[bytes]) -> None:
        for line in stream:
            if line.strip():
                value = json.loads(line)
                self.echoed.append(value)
                (self.work / "state.json").write_text(json.dumps(value))
                self.first_state.set()

    def relay(self, source: IO[bytes], sink: IO[bytes], after_bytes: int, fault: Callable[[], None]) -> None:
        """Copy the tap's output to the target, keeping a copy in tap.out, and
        call `fault` once `after_bytes` are copied, while the tap waits on the pipe."""
        copied, fired = 0, False
        with open(self.work / "tap.out", "wb") as kept, contextlib.suppress(BrokenPipeError):
            while chunk := source.read1(1 << 16):  # type: ignore[attr-defined]
                kept.write(chunk)
                sink.write(chunk)
                copied += len(chunk)
                if not fired and copied >= after_bytes:
                    fired = True
                    fault()
        with contextlib.suppress(BrokenPipeError):
            sink.close()


def start(
    work: Path,
    program: str,
    *,
    one_group: bool = False,
    relay: tuple[int, Callable[[Pipeline], None]] | None = None,
) -> Pipeline:
    """Start `tap | target`, resuming from work/state.json if there is one.
    `one_group` puts both in a process group of their own, as a terminal
    does with a pipeline; `relay` (offset, fault) has the test copy the
    tap's output on, and inject the fault after that many bytes."""
    tap_command = [str(BIN / TAP), "--config", str(work / "tap.json")]
    if (work / "state.json").exists():
        tap_command += ["--state", str(work / "state.json")]
    target_command = [str(BIN / program), "--config", str(work / "target.json")]
    with open(work / "tap.log", "wb") as tap_log, open(work / "target.log", "wb") as target_log:
        tap = subprocess.Popen(
            tap_command, stdout=subprocess.PIPE, stderr=tap_log, process_group=0 if one_group else None
        )
        assert tap.stdout is not None
        target = subprocess.Popen(
            target_command,
            stdin=subprocess.PIPE if relay else tap.stdout,
            stdout=subprocess.PIPE,
            stderr=target_log,
            process_group=tap.pid if one_group else None,
        )
    pipeline = Pipeline(work, program, tap, target)
    assert target.stdout is not None
    pipeline.threads.append(threading.Thread(target=pipeline.keep_states, args=(target.stdout,)))
    if relay is None:
        tap.stdout.close()  # the target holds the only reading end: the tap sees EPIPE once it exits
    else:
        after_bytes, fault = relay
        assert target.stdin is not None
        copy = (tap.stdout, target.stdin, after_bytes, lambda: fault(pipeline))
        pipeline.threads.append(threading.Thread(target=pipeline.relay, args=copy))
    for thread in pipeline.threads:
        thread.start()
    return pipeline


@pytest.fixture
def work(backend: Backend, data_dir: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "work"
    prepare_work(directory, data_dir, backend, COMMIT_EVERY_ROWS)
    return directory


def blocked_in_write(process: subprocess.Popen[bytes]) -> bool:
    """Whether the process sleeps in a write to a full pipe (Linux's wchan)."""
    with contextlib.suppress(OSError):
        return "pipe_write" in Path(f"/proc/{process.pid}/wchan").read_text()
    return False


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def wait_mid_run(pipeline: Pipeline) -> None:
    """Until the target has committed and confirmed something and the tap,
    far from done, waits for the target to read: both are mid-run."""
    assert pipeline.first_state.wait(60), pipeline.log("target")
    wait_until(lambda: blocked_in_write(pipeline.tap), "the tap waits on a full pipe")


def send(process: subprocess.Popen[bytes], signum: signal.Signals, times: int = 1) -> None:
    for _ in range(times):
        process.send_signal(signum)


def stopped_within(pipeline: Pipeline, *processes: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Both exit codes, once the signalled `processes` ended within STOP_SECONDS."""
    for process in processes:
        process.wait(timeout=STOP_SECONDS)
    return pipeline.wait()


def rows_done(state: dict[str, Any], stream: str) -> int:
    files = state.get("bookmarks", {}).get(stream, {}).get("files", {})
    return sum(entry["rows_done"] for entry in files.values())


def assert_state_matches_tables(backend: Backend, state: dict[str, Any]) -> None:
    """Each trip table holds exactly the rows the STATE says are done: the
    STATE covers no row the target did not commit, and (commits ending
    where STATEs do) leaves out none it did."""
    present = backend.tables()
    for stream in TRIP_STREAMS.values():
        landed = backend.count(stream) if stream in present else 0
        assert landed == rows_done(state, stream), f"{stream}: {landed} rows, STATE says {rows_done(state, stream)}"


def resume_to_the_end(work: Path, program: str, backend: Backend, data: Path) -> None:
    """Run the pipeline again from the last STATE printed: the tables must end up equal to the source."""
    pipeline = start(work, program)
    assert pipeline.wait() == (0, 0), pipeline.log("tap") + pipeline.log("target")
    assert_equals_source(backend, data)
    assert bookmarked_files(pipeline.last_state()) == all_complete(MONTHS)


@postgres_only
def test_sigterm_to_the_tap_ends_its_output_at_a_line_with_a_final_state(
    backend: Backend, work: Path, data_dir: Path
) -> None:
    pipeline = start(work, backend.program, relay=(1_000_000, lambda p: send(p.tap, signal.SIGTERM)))
    assert stopped_within(pipeline, pipeline.tap) == (143, 0), pipeline.log("tap") + pipeline.log("target")
    assert pipeline.error_lines("tap") == [f"{TAP}: error: stopped by SIGTERM"]
    assert pipeline.error_lines("target") == []
    pipeline.assert_no_traceback()

    written = pipeline.tap_bytes()
    assert written.endswith(b"\n")
    messages = [json.loads(line) for line in written.splitlines()]
    assert messages[-1]["type"] == "STATE"
    assert 0 < rows_done(messages[-1]["value"], "yellow_trips") < len(MONTHS) * ROWS_PER_MONTH, "the stop came too late"
    # The target read the input to its end, committed it all and confirmed the tap's final STATE.
    assert pipeline.last_state() == messages[-1]["value"]
    assert_state_matches_tables(backend, pipeline.last_state())
    resume_to_the_end(work, backend.program, backend, data_dir)


@postgres_only
@pytest.mark.parametrize("times", [1, 3], ids=["once", "three-times"])
def test_ctrl_c_stops_both_ends_of_the_pipe(backend: Backend, work: Path, data_dir: Path, times: int) -> None:
    pipeline = start(work, backend.program, one_group=True)
    wait_mid_run(pipeline)
    for _ in range(times):
        os.killpg(pipeline.tap.pid, signal.SIGINT)
    assert stopped_within(pipeline, pipeline.tap, pipeline.target) == (130, 130)
    assert pipeline.error_lines("tap") == [f"{TAP}: error: stopped by SIGINT"]
    assert pipeline.error_lines("target") == [f"{backend.program}: error: stopped by SIGINT"]
    pipeline.assert_no_traceback()
    assert_state_matches_tables(backend, pipeline.last_state())
    resume_to_the_end(work, backend.program, backend, data_dir)


@postgres_only
def test_sigterm_to_the_target_while_it_loads(backend: Backend, work: Path, data_dir: Path) -> None:
    pipeline = start(work, backend.program)
    wait_mid_run(pipeline)
    send(pipeline.target, signal.SIGTERM, times=3)
    # The tap was asked nothing: its reader went away, which it reports as such.
    assert stopped_within(pipeline, pipeline.target, pipeline.tap) == (2, 143)
    assert pipeline.error_lines("tap") == [f"{TAP}: error: stdout closed by the reader; stopping"]
    assert pipeline.error_lines("target") == [f"{backend.program}: error: stopped by SIGTERM"]
    pipeline.assert_no_traceback()
    assert_state_matches_tables(backend, pipeline.last_state())
    resume_to_the_end(work, backend.program, backend, data_dir)


@postgres_only
def test_a_tap_blocked_in_a_write_finishes_its_line_before_it_stops(
    backend: Backend, work: Path, data_dir: Path
) -> None:
    pipeline = start(work, backend.program)
    wait_mid_run(pipeline)
    send(pipeline.target, signal.SIGSTOP)
    try:
        time.sleep(0.2)  # the target's read-ahead fills up and the pipe with it
        wait_until(lambda: blocked_in_write(pipeline.tap), "the tap waits on a full pipe")
        send(pipeline.tap, signal.SIGTERM)
        time.sleep(0.5)
        assert pipeline.tap.poll() is None, "the tap ended in the middle of a write"
    finally:
        send(pipeline.target, signal.SIGCONT)
    # A line cut short would fail the target ("the input ends in the middle of this line").
    assert stopped_within(pipeline, pipeline.tap) == (143, 0), pipeline.log("target")
    assert pipeline.error_lines("tap") == [f"{TAP}: error: stopped by SIGTERM"]
    assert pipeline.error_lines("target") == []
    pipeline.assert_no_traceback()
    assert_state_matches_tables(backend, pipeline.last_state())
    resume_to_the_end(work, backend.program, backend, data_dir)


def test_a_target_waiting_for_input_stops_at_once(backend: Backend) -> None:
    """A quiet tap leaves the target's reading thread blocked in a read of
    stdin; the target must still stop within seconds, with its one line."""
    target = subprocess.Popen(
        [str(BIN / backend.program), "--config", str(backend.write_config(batch_size_rows=2))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert target.stdin is not None
    assert target.stdout is not None
    target.stdin.write(
        lines(
            schema_message("people", PEOPLE, ["id"]),
            record("people", {"id": 1, "name": "a"}),
            record("people", {"id": 2, "name": "b"}),
            state({"done": 2}),
        ).encode()
    )
    target.stdin.flush()
    assert json.loads(target.stdout.readline()) == {"done": 2}
    send(target, signal.SIGTERM)
    target.wait(timeout=STOP_SECONDS)  # stdin stays open: the input is quiet, not ended
    assert target.stderr is not None
    stderr = target.stderr.read().decode()
    target.stdin.close()
    assert target.returncode == 143, stderr
    assert [line for line in stderr.splitlines() if ": error: " in line] == [backend.error_line("stopped by SIGTERM")]
    assert backend.count("people") == 2


# --- input cut in the middle of its last line (a tap killed while writing) -------------------------

PEOPLE = {"id": {"type": "integer"}, "name": {"type": "string"}}


# Whole lines (SCHEMA, two records, a STATE, two more records), then half of a record.
CUT_INPUT = (
    lines(
        schema_message("people", PEOPLE, ["id"]),
        record("people", {"id": 1, "name": "a"}),
        record("people", {"id": 2, "name": "b"}),
        state({"done": 2}),
        record("people", {"id": 3, "name": "c"}),
        record("people", {"id": 4, "name": "d"}),
    )
    + lines(record("people", {"id": 5, "name": "e"}))[:60]
)


def test_input_cut_mid_line_commits_the_whole_records_and_fails(backend: Backend) -> None:
    run = backend.run(CUT_INPUT)
    assert run.returncode == 2, run.stderr
    assert run.error_lines() == [
        backend.error_line(
            "stream 'people': line 7: the input ends in the middle of this line: "
            "the tap was likely killed while writing it"
        )
    ]
    assert "Traceback" not in run.stderr
    assert states(run) == [{"done": 2}]
    assert sorted(row[0] for row in backend.rows("people", ["id"])) == [1, 2, 3, 4]


def test_a_whole_last_line_without_its_newline_is_fine(backend: Backend) -> None:
    text = lines(schema_message("people", PEOPLE, ["id"]), record("people", {"id": 1, "name": "a"}))
    run = backend.run(text + json.dumps(state({"done": 1})))
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"done": 1}]
    assert backend.count("people") == 1
