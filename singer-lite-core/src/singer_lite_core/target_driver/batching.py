"""Per-stream buffers of raw RECORD lines and the policy that says when to flush.

Buffers hold undecoded bytes, so their size is what the input cost and the
byte limits bound memory directly, even for wide or deeply nested records.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from singer_lite_core.target_driver.messages import RecordLines


@dataclass
class Segment:
    lines: RecordLines
    received_at: datetime


@dataclass
class StreamBuffer:
    segments: list[Segment] = field(default_factory=list)
    rows: int = 0
    size: int = 0
    oldest: float | None = None

    def add(self, lines: RecordLines) -> None:
        if self.oldest is None:
            self.oldest = time.monotonic()
        self.segments.append(Segment(lines, datetime.now(UTC)))
        self.rows += lines.count
        self.size += len(lines.data)

    def take(self) -> list[Segment]:
        segments = self.segments
        self.segments, self.rows, self.size, self.oldest = [], 0, 0, None
        return segments


@dataclass(frozen=True)
class FlushPolicy:
    max_rows: int
    max_bytes: int
    max_age_seconds: float

    def full(self, buffer: StreamBuffer) -> bool:
        return buffer.rows >= self.max_rows or buffer.size >= self.max_bytes

    def streams_to_flush(self, buffers: Mapping[str, StreamBuffer]) -> list[str]:
        """Streams due by age, then the largest ones while all together exceed the byte cap."""
        now = time.monotonic()
        due = [name for name, b in buffers.items() if b.oldest is not None and now - b.oldest >= self.max_age_seconds]
        total = sum(b.size for name, b in buffers.items() if name not in due)
        for name in sorted(buffers, key=lambda n: buffers[n].size, reverse=True):
            if total < self.max_bytes:
                break
            if name not in due:
                due.append(name)
                total -= buffers[name].size
        return due
