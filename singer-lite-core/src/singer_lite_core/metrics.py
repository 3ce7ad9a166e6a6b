"""singer-sdk's METRIC log lines, which Meltano and users' log tools already parse.

Each line is `METRIC: {"type":..,"metric":..,"value":..,"tags":{..}}` at INFO
on the `singer_sdk.metrics` logger: the names, tags and JSON of singer-sdk's
metrics module, and its logger name, so a logging config written for an SDK
connector (a level, a handler, a filter on that logger) applies unchanged.

Callers count once per batch, never per record, and a point's JSON is built
only when a handler writes it, so a quiet logger costs nothing on hot paths.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any, Literal, Self

METRICS_LOGGER_NAME = "singer_sdk.metrics"
METRIC_MESSAGE = "METRIC: %s"
LOG_INTERVAL_SECONDS = 60.0
"""How often a running counter reports its count so far, as singer-sdk's do."""

_logger = logging.getLogger(METRICS_LOGGER_NAME)


class Metric(StrEnum):
    RECORD_COUNT = "record_count"
    SYNC_DURATION = "sync_duration"
    BATCH_PROCESSING_TIME = "batch_processing_time"


@dataclass(frozen=True, slots=True)
class Point:
    """One measurement; str() is the JSON that follows `METRIC: `."""

    metric_type: Literal["counter", "timer"]
    metric: Metric
    value: int | float
    tags: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.metric_type, "metric": self.metric.value, "value": self.value, "tags": self.tags}

    def __str__(self) -> str:
        return json.dumps(self.to_dict(), default=str, separators=(",", ":"))


def _emit(point: Point) -> None:
    _logger.info(METRIC_MESSAGE, point)


def _tags(stream: str, extra: dict[str, Any]) -> dict[str, Any]:
    """singer-sdk's tag order: stream, pid, then the meter's own (context, status)."""
    return {"stream": stream, "pid": os.getpid(), **extra}


class Counter:
    """A count reported every LOG_INTERVAL_SECONDS and at close, then reset, as singer-sdk's Counter."""

    def __init__(self, metric: Metric, tags: dict[str, Any], interval: float = LOG_INTERVAL_SECONDS) -> None:
        self._metric = metric
        self._tags = tags
        self._interval = interval
        self.value = 0
        self._last_report = time.monotonic()

    def add(self, count: int) -> None:
        self.value += count
        if time.monotonic() - self._last_report > self._interval:
            self._report()

    def close(self) -> None:
        self._report()

    def _report(self) -> None:
        _emit(Point("counter", self._metric, self.value, self._tags))
        self.value = 0
        self._last_report = time.monotonic()


class Timer:
    """Times its `with` block; the point says `succeeded`, or `failed` when the block raised."""

    def __init__(self, metric: Metric, tags: dict[str, Any]) -> None:
        self._metric = metric
        self._tags = tags
        self._started = time.monotonic()

    def __enter__(self) -> Self:
        self._started = time.monotonic()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        status = "succeeded" if kind is None else "failed"
        _emit(Point("timer", self._metric, time.monotonic() - self._started, {**self._tags, "status": status}))


def record_counter(stream: str, **tags: Any) -> Counter:
    """Records a tap wrote or a target received, per stream."""
    return Counter(Metric.RECORD_COUNT, _tags(stream, tags))


def sync_timer(stream: str, **tags: Any) -> Timer:
    """The whole sync of one of the tap's streams."""
    return Timer(Metric.SYNC_DURATION, _tags(stream, tags))


def batch_timer(stream: str) -> Timer:
    """One batch's load into the target's database."""
    return Timer(Metric.BATCH_PROCESSING_TIME, _tags(stream, {}))
