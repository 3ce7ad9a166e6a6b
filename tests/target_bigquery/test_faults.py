"""Retry and failure paths against real HTTP failures between the client and the API.

The proxy sits between target-bigquery-lite and the emulator: transient
failures (503, 429, resets) must be retried without loading a batch twice,
permanent ones (403) must stop the run at once with the API's message, and
in every failure STATE must not pass the last commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from local_servers.bigquery_emulator import BigQueryEmulator
from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_text import lines, record, schema_message, state, states
from tests.target_bigquery.fault_proxy import Fault, FaultProxy

UPLOAD = "/upload/bigquery/v2/"
QUERY_JOBS = "/bigquery/v2/projects/test-project/jobs?"
PROPERTIES = {"id": {"type": "integer"}, "fare": {"type": "number"}}


@pytest.fixture
def proxy(emulator: BigQueryEmulator) -> Iterator[FaultProxy]:
    with FaultProxy(emulator.endpoint) as proxy:
        yield proxy


def two_batches(stream: str = "trips", keys: list[str] | None = None) -> str:
    return lines(
        schema_message(stream, PROPERTIES, keys),
        record(stream, {"id": 1, "fare": 7.08}),
        record(stream, {"id": 2, "fare": 12.5}),
        state({"batch": 1}),
        record(stream, {"id": 3, "fare": 0.01}),
        record(stream, {"id": 4, "fare": 99.99}),
        state({"batch": 2}),
    )


def test_503_and_429_are_retried(target: BigQueryBackend, proxy: FaultProxy) -> None:
    proxy.inject(Fault("PUT", UPLOAD, status=503, times=2))
    proxy.inject(Fault("POST", QUERY_JOBS, status=429, reason="rateLimitExceeded"))
    run = target.run(two_batches(keys=["id"]), api_endpoint=proxy.endpoint, batch_size_rows=2, retry_attempts=5)
    assert run.returncode == 0, run.stderr
    assert len(proxy.outcomes("status 503")) == 2
    assert len(proxy.outcomes("status 429")) == 1
    assert "transient database error, retrying" in run.stderr
    assert sorted(target.rows("trips", ["id", "fare"])) == [
        (1, Decimal("7.08")),
        (2, Decimal("12.5")),
        (3, Decimal("0.01")),
        (4, Decimal("99.99")),
    ]
    assert states(run) == [{"batch": 1}, {"batch": 2}]


@pytest.mark.parametrize("reset", ["reset_before", "reset_after"])
def test_reset_connection_never_loads_a_batch_twice(target: BigQueryBackend, proxy: FaultProxy, reset: str) -> None:
    """reset_after: the load job ran but its answer was lost; the retry finds the job and must not append again."""
    proxy.inject(Fault("PUT", UPLOAD, action=reset))  # type: ignore[arg-type]
    run = target.run(two_batches(), api_endpoint=proxy.endpoint, batch_size_rows=2)
    assert run.returncode == 0, run.stderr
    assert len(proxy.outcomes(reset.replace("_", " "))) == 1
    if reset == "reset_after":
        assert "was already submitted; waiting for it" in run.stderr
    assert target.count("trips") == 4
    assert states(run) == [{"batch": 1}, {"batch": 2}]


def test_lasting_503_fails_after_retries_with_state_of_last_commit(target: BigQueryBackend, proxy: FaultProxy) -> None:
    run_ok = target.run(two_batches(), api_endpoint=proxy.endpoint, batch_size_rows=2)
    assert run_ok.returncode == 0, run_ok.stderr
    data = lines(
        schema_message("trips", PROPERTIES),
        record("trips", {"id": 5, "fare": 1}),
        state({"batch": 3}),
        record("trips", {"id": 6, "fare": 2}),
        state({"batch": 4}),
    )
    first_load = target.run(data, api_endpoint=proxy.endpoint, batch_size_rows=1, retry_attempts=2)
    assert first_load.returncode == 0
    proxy.inject(Fault("PUT", UPLOAD, status=503, times=100))
    run = target.run(data, api_endpoint=proxy.endpoint, batch_size_rows=1, retry_attempts=2)
    assert run.returncode != 0
    assert states(run) == []
    assert len(proxy.outcomes("status 503")) == 2
    [line] = run.error_lines()
    assert line.startswith(target.error_line("stream 'trips': lines 2-2: database unavailable after 2 attempts: "))
    assert "503" in line
    assert "injected by the test proxy" in line
    assert target.count("trips") == 6


def test_403_fails_at_once_with_the_api_message(target: BigQueryBackend, proxy: FaultProxy) -> None:
    proxy.inject(Fault("PUT", UPLOAD, status=403, reason="accessDenied", times=100))
    run = target.run(two_batches(), api_endpoint=proxy.endpoint, batch_size_rows=2)
    assert run.returncode != 0
    assert len(proxy.outcomes("status 403")) == 1
    assert states(run) == []
    assert run.error_lines() == [
        "target-bigquery-lite: error: stream 'trips': lines 2-3: BigQuery 403: injected by the test proxy: accessDenied"
    ]
    # The table was created for the load job that failed, and deleted again.
    assert target.tables() == set()
