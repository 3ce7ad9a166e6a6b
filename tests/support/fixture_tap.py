"""The singer-python fixture tap, run from its own virtualenv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "fixtures" / "singer_python_tap.py"
PYTHON = Path(sys.prefix) / "singer-python" / "bin" / "python"


def fixture_tap_output(rows: int, state_file: Path | None = None) -> bytes:
    if not PYTHON.exists():
        raise RuntimeError(f"{PYTHON} is missing; run `make install` to create the singer-python virtualenv")
    args = [str(PYTHON), str(SCRIPT), "--rows", str(rows)]
    if state_file is not None:
        args += ["--state", str(state_file)]
    return subprocess.run(args, check=True, capture_output=True).stdout
