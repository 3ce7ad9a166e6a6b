"""Releasing STATE only once everything received before it is committed.

A STATE is a promise to the tap that it never has to resend what came
before. Streams are flushed at different times, so each STATE remembers how
many records of each stream had arrived when it did, and becomes releasable
only when every stream has committed at least that many. Only the newest
releasable STATE is written: older ones are implied by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class _Pending:
    value: Any
    needs: dict[str, int]


class StateLedger:
    def __init__(self, emit: Callable[[Any], None]) -> None:
        self._emit = emit
        self._received: dict[str, int] = {}
        self._committed: dict[str, int] = {}
        self._pending: list[_Pending] = []
        self._last_emitted: Any = None
        self._emitted_any = False

    def received(self, stream: str, count: int) -> None:
        self._received[stream] = self._received.get(stream, 0) + count

    def received_count(self, stream: str) -> int:
        return self._received.get(stream, 0)

    def state(self, value: Any) -> None:
        needs = {stream: count for stream, count in self._received.items() if self._committed.get(stream, 0) < count}
        self._pending.append(_Pending(value, needs))
        self._release()

    def committed(self, stream: str, upto: int) -> None:
        """Record that the first `upto` records of `stream` are durable."""
        self._committed[stream] = max(self._committed.get(stream, 0), upto)
        self._release()

    def _release(self) -> None:
        ready = None
        while self._pending and all(
            self._committed.get(stream, 0) >= count for stream, count in self._pending[0].needs.items()
        ):
            ready = self._pending.pop(0)
        if ready is not None and not (self._emitted_any and ready.value == self._last_emitted):
            self._emit(ready.value)
            self._last_emitted = ready.value
            self._emitted_any = True
