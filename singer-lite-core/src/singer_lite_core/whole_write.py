"""Writing bytes whole, however a signal interrupts the write.

A write larger than a BufferedWriter's buffer goes to the pipe directly, and
when a signal interrupts it there (the reader is slow, the pipe full),
write() returns the count of what went out and leaves the rest unwritten
(CPython 3.11 to 3.13; TextIOWrapper drops that count, python/cpython#85393).
A Singer line cut so is lost to its reader, so every line a connector
writes goes through here.
"""

from __future__ import annotations

from typing import BinaryIO


def write_whole(out: BinaryIO, data: bytes | memoryview) -> None:
    """Write all of `data`, writing again what an interrupted write left."""
    unwritten = memoryview(data)
    while unwritten:
        unwritten = unwritten[out.write(unwritten) :]
