"""Loading Arrow so that the memory it frees goes back to the OS at once.

Arrow's default allocators keep freed pages for a while in case they are
reused. The tap frees a batch of decoded columns many times a second, so with
the defaults its peak RSS carried several batches' worth of pages and grew
with the file (measured on a 1M-row high-volume FHV month: 300 MB, 245 MB with
this). jemalloc reads its options once, as the library loads, and only from
the environment: they are set here, for the loading only, so child processes
(a target a test starts, say) keep their own allocators. A pyarrow someone
loaded earlier keeps its settings. Polars' own jemalloc is left alone: the
same option there costs a fifth of the tap's speed.
"""

from __future__ import annotations

import importlib
import os
import sys

_OPTIONS = {"ARROW_DEFAULT_MEMORY_POOL": "jemalloc", "JE_ARROW_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}


def load_pyarrow_releasing_memory() -> None:
    """Import pyarrow with jemalloc returning freed pages at once (on Linux, where pyarrow ships jemalloc)."""
    if sys.platform != "linux" or "pyarrow" in sys.modules:
        return
    added = {name: value for name, value in _OPTIONS.items() if name not in os.environ}
    os.environ.update(added)
    try:
        importlib.import_module("pyarrow")
    finally:
        for name in added:
            del os.environ[name]
