"""Running `tap | target` with a live progress line, keeping the STATE the target echoes.

The relay between the two processes reads in large chunks and only counts
RECORD prefixes per stream (bytes.count runs at memory speed), so watching
progress costs the pipeline next to nothing. Each STATE line the target
prints is written to the state file at once: after a crash the file holds
the last state the target committed, which is where the next run resumes.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_CHUNK = 1 << 20
_REPORT_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class PipelineResult:
    tap_code: int
    target_code: int
    records: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.tap_code == 0 and self.target_code == 0


class Progress:
    """Counts RECORD lines per stream and redraws one status line on stderr."""

    def __init__(self, streams: Sequence[str]) -> None:
        self._needles = {name: b'{"type":"RECORD","stream":"' + name.encode() + b'"' for name in streams}
        self.counts = dict.fromkeys(streams, 0)
        self._started = time.monotonic()
        self._last_draw = self._started
        self._interactive = sys.stderr.isatty()

    def feed(self, complete_lines: bytes) -> None:
        for name, needle in self._needles.items():
            self.counts[name] += complete_lines.count(needle)
        now = time.monotonic()
        if now - self._last_draw >= (_REPORT_EVERY_SECONDS if self._interactive else 10):
            self._last_draw = now
            self._draw(final=False)

    def finish(self) -> None:
        self._draw(final=True)

    def _draw(self, final: bool) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        total = sum(self.counts.values())
        parts = [f"{name} {count:,}" for name, count in self.counts.items() if count]
        line = f"{total:,} records ({total / elapsed:,.0f}/s) in {elapsed:.1f} s: " + ", ".join(parts)
        if self._interactive:
            sys.stderr.write("\r\033[K" + line + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def run_pipeline(
    tap: Sequence[str], target: Sequence[str], state_file: Path, logs: Path, progress: Progress
) -> PipelineResult:
    logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(logs / "tap.log", "wb") as tap_log, open(logs / "target.log", "wb") as target_log:
        tap_process = subprocess.Popen(list(tap), stdout=subprocess.PIPE, stderr=tap_log)
        target_process = subprocess.Popen(
            list(target), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=target_log
        )
        keeper = threading.Thread(target=_keep_states, args=(target_process.stdout, state_file), daemon=True)
        keeper.start()
        _relay(tap_process, target_process, progress)
        tap_code = tap_process.wait()
        target_code = target_process.wait()
        keeper.join()
    progress.finish()
    return PipelineResult(tap_code, target_code, dict(progress.counts), time.monotonic() - started)


def _relay(tap: subprocess.Popen[bytes], target: subprocess.Popen[bytes], progress: Progress) -> None:
    assert isinstance(tap.stdout, io.BufferedReader)  # read1: what has arrived, without waiting for a full chunk
    assert target.stdin is not None
    pending = b""
    try:
        while chunk := tap.stdout.read1(_CHUNK):
            target.stdin.write(chunk)
            data = pending + chunk
            cut = data.rfind(b"\n") + 1
            progress.feed(data[:cut])
            pending = data[cut:]
    except BrokenPipeError:
        tap.kill()
    finally:
        with contextlib.suppress(BrokenPipeError):
            target.stdin.close()


def _keep_states(stream: IO[bytes], state_file: Path) -> None:
    partial = state_file.with_name(state_file.name + ".tmp")
    for line in stream:
        if line.strip():
            partial.write_bytes(line)
            os.replace(partial, state_file)
