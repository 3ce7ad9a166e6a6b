"""The METRIC lines are singer-sdk's, byte for byte: its own metrics module is the oracle."""

from __future__ import annotations

import logging

import pytest
from singer_sdk import metrics as sdk_metrics

from singer_lite_core import metrics


@pytest.mark.parametrize(
    ("kind", "ours", "theirs", "value", "tags"),
    [
        ("counter", metrics.Metric.RECORD_COUNT, sdk_metrics.Metric.RECORD_COUNT, 12, {"stream": "s", "context": {}}),
        ("timer", metrics.Metric.SYNC_DURATION, sdk_metrics.Metric.SYNC_DURATION, 0.25, {"status": "failed"}),
        ("timer", metrics.Metric.BATCH_PROCESSING_TIME, sdk_metrics.Metric.BATCH_PROCESSING_TIME, 1.5, {}),
    ],
)
def test_a_point_is_written_as_singer_sdk_writes_it(
    kind: str, ours: metrics.Metric, theirs: sdk_metrics.Metric, value: float, tags: dict[str, object]
) -> None:
    assert str(metrics.Point(kind, ours, value, tags)) == str(sdk_metrics.Point(kind, theirs, value, tags))  # type: ignore[arg-type]


def test_a_counter_reports_at_each_interval_and_at_close(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=metrics.METRICS_LOGGER_NAME)
    counter = metrics.Counter(metrics.Metric.RECORD_COUNT, {"stream": "s"}, interval=0.0)
    counter.add(5)
    counter.add(2)
    counter.close()
    points = [record.args[0] for record in caplog.records if isinstance(record.args, tuple)]
    reported = [point.value for point in points if isinstance(point, metrics.Point)]
    assert reported == [5, 2, 0]
    assert all(record.getMessage().startswith("METRIC: {") for record in caplog.records)
