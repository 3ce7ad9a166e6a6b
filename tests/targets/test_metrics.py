"""Both targets write singer-sdk's METRIC lines: a record_count per stream that
adds up to the records received, and a batch_processing_time per batch loaded."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message

METRIC = " METRIC: "


def _metrics(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line.split(METRIC, 1)[1]) for line in stderr.splitlines() if METRIC in line]


def test_record_counts_and_batch_timers(backend: Backend) -> None:
    sent = {"a": 7, "b": 3}
    data = lines(
        schema_message("a", {"id": {"type": "integer"}}, ["id"]),
        schema_message("b", {"id": {"type": "integer"}}, ["id"]),
        *(record(stream, {"id": n}) for n in range(sent["b"]) for stream in ("a", "b")),
        *(record("a", {"id": n}) for n in range(sent["b"], sent["a"])),
    )
    run = backend.run(data, batch_size_rows=3)  # a: 3 rows, then its last 4 (one run of lines); b: 3
    assert run.returncode == 0, run.stderr
    points = _metrics(run.stderr)
    counted: Counter[str] = Counter()
    for point in points:
        if point["metric"] == "record_count":
            assert point["type"] == "counter"
            counted[point["tags"]["stream"]] += point["value"]
    assert counted == sent
    timers = [p for p in points if p["metric"] == "batch_processing_time"]
    assert Counter(p["tags"]["stream"] for p in timers) == {"a": 2, "b": 1}
    assert {(p["type"], p["tags"]["status"]) for p in timers} == {("timer", "succeeded")}
    assert all(p["value"] > 0 for p in timers)
    assert backend.count("a") == sent["a"]
