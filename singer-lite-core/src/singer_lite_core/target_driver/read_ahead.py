"""Reading input on its own thread, so that framing the next chunk overlaps
decoding the current batch (Arrow releases the GIL while it decodes), and
so that the driver gets control back while a quiet tap sends nothing: age
based flushes and STATE releases must not wait for the next message.

The thread is a daemon, so a run that ends early (a failure, a stop) does
not wait for it; it may still be blocked reading stdin, which is why the
framing reads the descriptor and never holds the lock of a file object."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

DEPTH = 4
IDLE_SECONDS = 0.5


class _End:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def read_ahead(items: Iterator[T], depth: int = DEPTH, idle_seconds: float = IDLE_SECONDS) -> Iterator[T | None]:
    """Yield what `items` yields, produced up to `depth` items early on a
    daemon thread, and None whenever nothing came for `idle_seconds`; an
    exception in the producer is re-raised here, in order."""
    buffer: queue.Queue[T | _End] = queue.Queue(maxsize=depth)

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            buffer.put(_End(error))
            return
        buffer.put(_End(None))

    threading.Thread(target=produce, name="read-ahead", daemon=True).start()
    while True:
        try:
            item = buffer.get(timeout=idle_seconds)
        except queue.Empty:
            yield None
            continue
        if isinstance(item, _End):
            if item.error is not None:
                raise item.error
            return
        yield item
