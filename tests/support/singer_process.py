"""Running connectors as real processes and reading what they wrote.

Tests exercise the installed console scripts exactly as a scheduler or a
shell pipe would, so that argument parsing, exit codes and stdout hygiene
are covered too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
METRIC = " METRIC: "


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: str
    messages: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream]

    def states(self) -> list[dict[str, Any]]:
        return [m["value"] for m in self.of_type("STATE")]

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if ": error: " in line]

    def metrics(self) -> list[dict[str, Any]]:
        """The singer-sdk METRIC points logged on stderr, as Meltano parses them."""
        return [json.loads(line.split(METRIC, 1)[1]) for line in self.stderr.splitlines() if METRIC in line]


def counted_records(points: Iterable[dict[str, Any]]) -> Counter[str]:
    """What singer-sdk's record_count counters among METRIC points add up to, per stream."""
    counted: Counter[str] = Counter()
    for point in points:
        if point["metric"] == "record_count":
            assert point["type"] == "counter", point
            counted[point["tags"]["stream"]] += point["value"]
    return counted


def run_connector(
    program: str,
    *args: str | Path,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 240,
    singer_output: bool = True,
) -> Run:
    """Run a console script; `singer_output` False for commands that print other JSON (--discover, --about)."""
    completed = subprocess.run(
        [str(BIN / program), *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    lines = completed.stdout.splitlines() if singer_output else []
    messages = [json.loads(line) for line in lines if line.strip()]
    return Run(completed.returncode, completed.stdout, completed.stderr.decode(), messages)


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


def committed_over_kills(
    program: str, config: Path, state_file: Path, limits: Sequence[int | None]
) -> list[dict[str, Any]]:
    """The messages a target would have committed over runs of `program` killed with SIGKILL.

    Run i is killed once it has written limits[i] messages (None: it runs to
    its end and must succeed) and resumes from the last STATE before. A target
    commits up to a STATE and echoes it, so what a run wrote after its last
    STATE is lost with the crash and each run keeps only what came before.
    """
    kept: list[dict[str, Any]] = []
    state: dict[str, Any] | None = None
    for limit in limits:
        args = [str(BIN / program), "--config", str(config)]
        if state is not None:
            args += ["--state", str(write_json(state_file, state))]
        messages: list[dict[str, Any]] = []
        with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
            assert process.stdout is not None
            for line in process.stdout:
                messages.append(json.loads(line))
                if limit is not None and len(messages) >= limit:
                    process.kill()
                    break
        assert process.returncode == (0 if limit is None else -signal.SIGKILL), (limit, len(messages))
        last = max((i for i, m in enumerate(messages) if m["type"] == "STATE"), default=-1)
        kept += messages[: last + 1]
        state = messages[last]["value"] if last >= 0 else state
    return kept
