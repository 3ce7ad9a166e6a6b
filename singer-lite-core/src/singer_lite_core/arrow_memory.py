"""Loading pyarrow on the memory pool a connector declares, before anything else loads it.

Every connector frees Arrow buffers many times a second, and which
allocator keeps its peak RSS lowest at the same speed was measured per
connector, so each one declares its pool in its package's `__init__`, the
first code its command runs. Arrow reads the pool, and jemalloc its
options, only from the environment and only as the library loads: the
variables are set for the import alone, so child processes (a target a
test starts, say) keep their own allocators. A variable the user set
(ARROW_DEFAULT_MEMORY_POOL, JE_ARROW_MALLOC_CONF) is kept, and a pyarrow
loaded earlier keeps the pool it has.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Literal

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
JEMALLOC_VARIABLE = "JE_ARROW_MALLOC_CONF"


@dataclass(frozen=True)
class MemoryPool:
    backend: Literal["jemalloc", "mimalloc", "system"]
    jemalloc_options: str | None = None
    """jemalloc's malloc_conf on top of Arrow's own, such as its decay times."""


JEMALLOC = MemoryPool("jemalloc")
"""Arrow's jemalloc as Arrow configures it: freed pages go back to the OS about a second later."""
JEMALLOC_RELEASING_AT_ONCE = MemoryPool("jemalloc", "dirty_decay_ms:0,muzzy_decay_ms:0")
"""jemalloc returning freed pages at once: a lower peak for a few percent of CPU time."""


def load_pyarrow(pool: MemoryPool) -> None:
    """Import pyarrow on `pool` (on Linux, where pyarrow ships all three allocators)."""
    if sys.platform != "linux" or "pyarrow" in sys.modules:
        return
    wanted: dict[str, str] = {POOL_VARIABLE: pool.backend}
    if pool.jemalloc_options is not None:
        wanted[JEMALLOC_VARIABLE] = pool.jemalloc_options
    added = {name: value for name, value in wanted.items() if name not in os.environ}
    os.environ.update(added)
    try:
        importlib.import_module("pyarrow")
    finally:
        for name in added:
            del os.environ[name]


def keep_freed_pages(milliseconds: int) -> None:
    """From now on, let jemalloc keep freed pages about `milliseconds` before
    returning them to the OS, for work that allocates and frees the same
    large buffers over and over; a JE_ARROW_MALLOC_CONF the user set is kept."""
    if JEMALLOC_VARIABLE in os.environ:
        return
    import pyarrow as pa  # noqa: PLC0415 - loaded by load_pyarrow long before this is called

    if pa.default_memory_pool().backend_name == "jemalloc":
        pa.jemalloc_set_decay_ms(milliseconds)
