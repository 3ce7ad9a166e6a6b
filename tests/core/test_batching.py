"""Per-stream buffers and the policy that says when to flush them."""

from __future__ import annotations

from singer_lite_core.target_driver.batching import FlushPolicy, StreamBuffer
from singer_lite_core.target_driver.messages import RecordLines


def buffered(*sizes: int) -> StreamBuffer:
    buffer = StreamBuffer()
    for first, size in enumerate(sizes, start=1):
        buffer.add(RecordLines("s", first, b"x" * (size - 1) + b"\n", 1))
    return buffer


def test_a_buffer_counts_rows_and_bytes_and_take_empties_it() -> None:
    buffer = buffered(10, 20)
    assert (buffer.rows, buffer.size) == (2, 30)
    assert [s.lines.first_line for s in buffer.take()] == [1, 2]
    assert (buffer.rows, buffer.size, buffer.oldest, buffer.segments) == (0, 0, None, [])


def test_a_stream_is_full_at_its_row_or_byte_limit() -> None:
    policy = FlushPolicy(max_rows=2, max_bytes=100, max_age_seconds=60)
    assert not policy.full(buffered(10))
    assert policy.full(buffered(10, 10))
    assert policy.full(buffered(100))


def test_the_largest_streams_are_flushed_while_all_together_pass_the_byte_cap() -> None:
    policy = FlushPolicy(max_rows=1000, max_bytes=100, max_age_seconds=60)
    buffers = {"small": buffered(10), "big": buffered(60), "middle": buffered(40)}
    assert policy.streams_to_flush(buffers) == ["big"]
    assert policy.streams_to_flush({"a": buffered(30), "b": buffered(30)}) == []


def test_streams_older_than_the_age_limit_are_flushed() -> None:
    policy = FlushPolicy(max_rows=1000, max_bytes=1000, max_age_seconds=5)
    buffers = {"old": buffered(10), "new": buffered(10), "empty": StreamBuffer()}
    assert buffers["old"].oldest is not None
    buffers["old"].oldest -= 10
    assert policy.streams_to_flush(buffers) == ["old"]
