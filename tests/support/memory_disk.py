"""A folder in memory for the test servers' data and scratch virtualenvs, where the machine has one.

The BigQuery emulator commits its catalog on every job and pip writes tens of
thousands of files per virtualenv; on a disk both wait for its flushes, which on
a tmpfs cost nothing. Nothing put there needs to outlive the session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SHARED_MEMORY = Path("/dev/shm")
# Far more than the emulator's datasets take (a few MB); a container's default /dev/shm (64 MB) is too small.
EMULATOR_BYTES = 1 << 30


def memory_backed_dir(needed_bytes: int = EMULATOR_BYTES) -> Path | None:
    """/dev/shm when it is a writable folder with `needed_bytes` free; None (the system's default) otherwise."""
    if not (SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK | os.X_OK)):
        return None
    return SHARED_MEMORY if shutil.disk_usage(SHARED_MEMORY).free >= needed_bytes else None
