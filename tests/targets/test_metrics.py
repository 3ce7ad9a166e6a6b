"""Both targets write singer-sdk's METRIC lines: a record_count per stream that
adds up to the records received, and a batch_processing_time per batch loaded."""

from __future__ import annotations

from collections import Counter

from tests.support.backend import Backend
from tests.support.singer_process import counted_records
from tests.support.singer_text import lines, record, schema_message


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
    assert counted_records(run.metrics()) == sent
    timers = [p for p in run.metrics() if p["metric"] == "batch_processing_time"]
    assert Counter(p["tags"]["stream"] for p in timers) == {"a": 2, "b": 1}
    assert {(p["type"], p["tags"]["status"]) for p in timers} == {("timer", "succeeded")}
    assert all(p["value"] > 0 for p in timers)
    assert backend.count("a") == sent["a"]
