"""Each connector loads pyarrow on the memory pool it declares, and passes none of that on.

Checked in fresh interpreters: in this one, pyarrow may have been loaded by
another test first, and then nothing can change its allocator.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import os, sys, time
import {package}
import pyarrow, pyarrow.compute
print(pyarrow.default_memory_pool().backend_name)
print(sorted(name for name in os.environ if name in ("ARROW_DEFAULT_MEMORY_POOL", "JE_ARROW_MALLOC_CONF")))
def resident_mb():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20
source = pyarrow.array(range(20_000))
before = resident_mb()
pieces = [pyarrow.compute.multiply(source, 2) for _ in range(2_500)]
del pieces
print("released at once" if resident_mb() - before < 50 else "kept")
"""

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pool is chosen on Linux only")


def _probe(package: str, env: dict[str, str]) -> list[str]:
    command = [sys.executable, "-c", PROBE.format(package=package)]
    result = subprocess.run(command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    ("package", "released"),
    [("tap_nyc_taxi", "released at once"), ("target_postgres_lite", "kept"), ("target_bigquery_lite", "kept")],
)
def test_a_connector_loads_pyarrow_on_jemalloc_and_leaves_the_environment_alone(package: str, released: str) -> None:
    """The tap's jemalloc returns 200 MB of freed batches at once; the targets' keeps them a while, as Arrow does."""
    assert _probe(package, {}) == ["jemalloc", "[]", released]


def test_a_memory_pool_the_user_chose_is_kept() -> None:
    assert _probe("target_postgres_lite", {"ARROW_DEFAULT_MEMORY_POOL": "system"})[:2] == [
        "system",
        "['ARROW_DEFAULT_MEMORY_POOL']",
    ]
