"""Running connectors as real processes and reading what they wrote.

Tests exercise the installed console scripts exactly as a scheduler or a
shell pipe would, so that argument parsing, exit codes and stdout hygiene
are covered too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


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
