"""Meltano in a virtualenv of its own, run against this repository's meltano.yml.

Meltano pins many libraries (SQLAlchemy, click, structlog, ...) that the
project venv must not be forced to share, so it lives in .venv/meltano, built
once and reused: a stamp records the requirement it was built for, and a lock
serialises builds across processes. Every run gets its own system database
(MELTANO_DATABASE_URI, a sqlite file the caller chooses), so tests never read
or write the repository's .meltano/meltano.db; the plugin virtualenvs under
.meltano/ are Meltano's own cache and are reused between runs.

This module does not import pytest: it is usable from a shell or a bench.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_DIR = REPO_ROOT / ".venv" / "meltano"
REQUIREMENT = "meltano>=4.4,<5"
STAMP_NAME = "meltano-stamp.txt"
INSTALL_TIMEOUT_SECONDS = 900.0
# Variables with these prefixes never reach Meltano from the test process: a
# developer's own MELTANO_* or plugin settings would change what a run does.
# Everything else passes, since uv needs the machine's proxy and CA settings.
WITHHELD_PREFIXES = ("MELTANO_", "TAP_NYC_TAXI_", "TARGET_POSTGRES_LITE_", "TARGET_BIGQUERY_LITE_")
WITHHELD = ("VIRTUAL_ENV", "PYTHONPATH")


class MeltanoUnavailable(RuntimeError):
    """Meltano could not be installed; the message carries the installer's output."""


def _meltano(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "meltano"


def _is_current(venv_dir: Path) -> bool:
    stamp = venv_dir / STAMP_NAME
    return stamp.exists() and stamp.read_text() == REQUIREMENT and _meltano(venv_dir).exists()


@contextlib.contextmanager
def _install_lock(venv_dir: Path) -> Iterator[None]:
    venv_dir.parent.mkdir(parents=True, exist_ok=True)
    with (venv_dir.parent / ".meltano-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _step(command: list[str], what: str) -> None:
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise MeltanoUnavailable(f"could not {what} (exit {result.returncode}):\n{tail}")


def ensure_meltano(venv_dir: Path = VENV_DIR) -> Path:
    """Return the meltano executable, installing it first when needed.

    The stamp is written last, so an interrupted install is redone instead of
    being trusted. `--no-compile` saves a third of the install (byte-compiling
    thousands of modules); the first run compiles those Meltano imports.
    """
    if _is_current(venv_dir):
        return _meltano(venv_dir)
    with _install_lock(venv_dir):
        if not _is_current(venv_dir):
            (venv_dir / STAMP_NAME).unlink(missing_ok=True)
            _step([sys.executable, "-m", "venv", "--clear", str(venv_dir)], f"create {venv_dir}")
            python = str(venv_dir / "bin" / "python")
            _step(
                [python, "-m", "pip", "install", "--quiet", "--no-compile", REQUIREMENT], f"pip install {REQUIREMENT}"
            )
            (venv_dir / STAMP_NAME).write_text(REQUIREMENT)
    return _meltano(venv_dir)


@dataclass(frozen=True)
class MeltanoProject:
    """The repository's Meltano project with a private system database."""

    executable: Path
    system_db: Path
    environment: str = "test"

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run `meltano ARGS` offline in the repository root; `env` adds plugin settings."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(WITHHELD_PREFIXES) and k not in WITHHELD}
        variables = {
            **base,
            "MELTANO_DATABASE_URI": f"sqlite:///{self.system_db}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_CLI_DISABLE_VERSION_CHECK": "true",
            **(env or {}),
        }
        return subprocess.run(
            [str(self.executable), "--environment", self.environment, *args],
            check=False,
            cwd=REPO_ROOT,
            env=variables,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
