"""The tap loads pyarrow with a jemalloc that returns freed memory at once, without passing that on.

Checked in fresh interpreters: in this one, pyarrow may have been loaded by
another test first, and then nothing can change its allocator.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import os, sys
import tap_nyc_taxi
import pyarrow
print(pyarrow.default_memory_pool().backend_name)
print(sorted(name for name in os.environ if name in ("ARROW_DEFAULT_MEMORY_POOL", "JE_ARROW_MALLOC_CONF")))
"""

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the setting is made on Linux only")


def _probe(env: dict[str, str]) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_importing_the_tap_loads_pyarrow_on_jemalloc_and_leaves_the_environment_alone() -> None:
    assert _probe({"PATH": "/usr/bin:/bin"}) == ["jemalloc", "[]"]


def test_a_memory_pool_the_user_chose_is_kept() -> None:
    assert _probe({"PATH": "/usr/bin:/bin", "ARROW_DEFAULT_MEMORY_POOL": "system"}) == [
        "system",
        "['ARROW_DEFAULT_MEMORY_POOL']",
    ]
