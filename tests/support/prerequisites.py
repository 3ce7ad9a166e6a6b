"""What a test does when this machine lacks something it needs to run at all.

On a developer's machine a missing prerequisite (Python 3.13 for the BigQuery
emulator, Debian's PostgreSQL binaries for a restartable cluster) is a reason
to skip, given in the skip. Under CI=true it fails instead: there a skip would
report green while those tests silently stopped running.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_prerequisite(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}\n(CI=true: these tests must run, so a missing prerequisite fails them.)")
    pytest.skip(reason)
