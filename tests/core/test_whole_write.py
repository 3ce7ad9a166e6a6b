"""Bytes are written whole even by a stream that takes a part of each write,
as a BufferedWriter does when a signal interrupts a large write to a pipe."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from singer_lite_core.whole_write import write_whole

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class PartWrites(io.BytesIO):
    """A stream that takes at most 7 bytes a write, and says so."""

    def write(self, data: ReadableBuffer, /) -> int:
        return super().write(bytes(data)[:7])


def test_what_a_write_leaves_is_written_again() -> None:
    out = PartWrites()
    data = b"".join(b'{"type":"RECORD","n":%d}\n' % n for n in range(100))
    write_whole(out, data)
    assert out.getvalue() == data
