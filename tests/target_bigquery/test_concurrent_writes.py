"""Several target processes (one per tap shard) loading one dataset at once.

The emulator serialises DML on a table, so it never answers a MERGE with
BigQuery's "Could not serialize access ... due to concurrent update": that
retry is tested with a client that answers so once. Its DDL does race (the
losers get "Failed to commit DuckLake transaction."; a MERGE whose commit
loses to a column addition gets "cannot rollback - no transaction is
active"), and a stale etag gets 412 as on BigQuery, so creation and column
additions are tested against it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pytest
from google.api_core import exceptions as api
from google.cloud import bigquery

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.stream_schema import parse_schema_message
from target_bigquery_lite import conflicts, ddl
from target_bigquery_lite.jobs import JobRunner
from target_bigquery_lite.loader import IDENTIFIERS, BigQueryLoader
from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_process import BIN
from tests.support.singer_text import lines, record, schema_message, state

PROPERTIES = {"id": {"type": "integer"}, "fare": {"type": "number"}}
WITH_TIP = {**PROPERTIES, "tip": {"type": ["number", "null"]}}
ID_AND_TIP = {"id": {"type": "integer"}, "tip": {"type": "number"}}
ID_AND_TIME = {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}}
SHARDS = 3
ROWS_PER_SHARD = 2
CONCURRENT_UPDATE = "Could not serialize access to table p:d.t due to concurrent update"


def shard_input(shard: int, properties: dict[str, Any]) -> str:
    """Rows of one shard, keys disjoint from the other shards', a STATE after every two."""
    ids = range(shard * 100, shard * 100 + ROWS_PER_SHARD)
    messages: list[dict[str, Any]] = [schema_message("trips", properties, ["id"])]
    for n, key in enumerate(ids, 1):
        values = {"id": key, "fare": key + 0.5}
        if "tip" in properties:
            values["tip"] = 1.25
        messages.append(record("trips", values))
        if n % 2 == 0:
            messages.append(state({"shard": shard, "rows": n}))
    return lines(*messages)


def test_shards_load_one_new_table_at_once(target: BigQueryBackend) -> None:
    """Three targets race to create the dataset and the table, one adds a column: all succeed, each row once."""
    config = target.write_config(batch_size_rows=2)
    inputs = [shard_input(s, WITH_TIP if s == SHARDS - 1 else PROPERTIES) for s in range(SHARDS)]
    processes = [
        subprocess.Popen(
            [str(BIN / "target-bigquery-lite"), "--config", str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in inputs
    ]
    # Their input goes in only once all three have started, so that their DDL races.
    started = [_stderr_until_settings(p) for p in processes]
    with ThreadPoolExecutor(SHARDS) as pool:
        outcomes = list(pool.map(lambda p, text: p.communicate(text.encode(), timeout=240), processes, inputs))
    for shard, (process, early, (stdout, stderr)) in enumerate(zip(processes, started, outcomes, strict=True)):
        assert process.returncode == 0, early + stderr.decode()
        assert [json.loads(line) for line in stdout.decode().splitlines()] == [
            {"shard": shard, "rows": n} for n in range(2, ROWS_PER_SHARD + 1, 2)
        ]
    assert target.bigquery_types("trips")["tip"] == ("NUMERIC", "NULLABLE")
    expected = [
        (key, Decimal(key) + Decimal("0.5"), Decimal("1.25") if shard == SHARDS - 1 else None)
        for shard in range(SHARDS)
        for key in range(shard * 100, shard * 100 + ROWS_PER_SHARD)
    ]
    assert target.rows("trips", ["id", "fare", "tip"], order_by="id") == expected


def _stderr_until_settings(process: subprocess.Popen[bytes]) -> str:
    """What the target logged up to its settings line, which it logs once ready to read input."""
    assert process.stderr is not None
    logged = ""
    while "settings:" not in logged:
        line = process.stderr.readline().decode()
        if not line:
            return logged
        logged += line
    return logged


@dataclass
class FakeJob:
    job_id: str
    error: Exception | None
    state: str = "DONE"
    error_result: dict[str, Any] | None = None

    def result(self, **_: Any) -> None:
        if self.error is not None:
            raise self.error


@dataclass
class FakeClient:
    """The two calls JobRunner.query makes; each job's outcome comes from `outcomes`, in order."""

    outcomes: Iterator[Exception | None]
    job_ids: list[str] = field(default_factory=list)

    def query(self, sql: str, *, job_id: str, **_: Any) -> FakeJob:
        self.job_ids.append(job_id)
        return FakeJob(job_id, next(self.outcomes))

    def get_job(self, job_id: str, **_: Any) -> FakeJob:
        raise AssertionError(f"no job is submitted twice under one id, yet {job_id} was")


def bad_request(message: str) -> api.BadRequest:
    # google-api-core leaves its exceptions' __init__ unannotated.
    return api.BadRequest(message, errors=[{"reason": "invalidQuery", "message": message}])  # type: ignore[no-untyped-call]


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conflicts, "CONCURRENT_UPDATE_WAIT", lambda _: 0.0)


def run_merge(outcomes: list[Exception | None]) -> FakeClient:
    client = FakeClient(iter(outcomes))
    runner = JobRunner(cast(bigquery.Client, client), "run1", timeout_seconds=60)
    runner.query("MERGE ...", "trips_7_merge")
    return client


@pytest.mark.usefixtures("no_backoff")
def test_merge_losing_to_a_concurrent_update_runs_again_under_a_new_id(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        client = run_merge([bad_request(CONCURRENT_UPDATE), None])
    assert client.job_ids == [
        "target_bigquery_lite_run1_trips_7_merge_0",
        "target_bigquery_lite_run1_trips_7_merge_1",
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "conflicted with another job's concurrent update of its table (attempt 1 of 8)" in warnings[0]
    assert warnings[0].endswith(CONCURRENT_UPDATE)


@pytest.mark.usefixtures("no_backoff")
def test_transaction_aborted_by_a_concurrent_update_runs_again() -> None:
    aborted = bad_request("Transaction is aborted due to concurrent update against table p:d.t")
    assert len(run_merge([aborted, aborted, None]).job_ids) == 3


def test_a_plain_sql_error_is_not_retried() -> None:
    client = FakeClient(iter([bad_request("Unrecognized name: fare at [1:20]")]))
    runner = JobRunner(cast(bigquery.Client, client), "run1", timeout_seconds=60)
    with pytest.raises(LoadError, match=r"^BigQuery 400: Unrecognized name: fare at \[1:20\]$"):
        runner.query("MERGE ...", "trips_7_merge")
    assert len(client.job_ids) == 1


@pytest.mark.usefixtures("no_backoff")
def test_a_merge_that_keeps_conflicting_fails_in_one_line() -> None:
    attempts = conflicts.CONCURRENT_UPDATE_ATTEMPTS
    client = FakeClient(iter([bad_request(CONCURRENT_UPDATE)] * attempts))
    runner = JobRunner(cast(bigquery.Client, client), "run1", timeout_seconds=60)
    with pytest.raises(LoadError, match=rf"due to concurrent update \(on each of {attempts} attempts\)$"):
        runner.query("MERGE ...", "trips_7_merge")
    assert len(set(client.job_ids)) == attempts


@pytest.mark.parametrize(
    ("error", "raced"),
    [
        (api.Conflict("Already Exists: Table p:d.t"), True),  # type: ignore[no-untyped-call]
        (api.PreconditionFailed("Precondition check failed."), True),  # type: ignore[no-untyped-call]
        (bad_request("Failed to commit: Failed to commit DuckLake transaction."), True),
        (bad_request("Syntax error: Unexpected keyword MERGE at [1:1]"), False),
        (bad_request(CONCURRENT_UPDATE), False),
    ],
)
def test_only_a_lost_race_counts_as_a_ddl_conflict(error: api.GoogleAPICallError, raced: bool) -> None:
    assert conflicts.is_ddl_conflict(error) is raced


class Interleaved:
    """A real client, with `rival` run just before its first call of `method`:
    another process's DDL landing between this one's read and its write."""

    def __init__(self, client: bigquery.Client, method: str, rival: Callable[[], None]) -> None:
        self._client = client
        self._method = method
        self._rival: Callable[[], None] | None = rival
        self.errors: list[Exception] = []

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)
        if name != self._method:
            return call

        def interleaved(*args: Any, **kwargs: Any) -> Any:
            if self._rival is not None:
                rival, self._rival = self._rival, None
                rival()
            try:
                return call(*args, **kwargs)
            except api.GoogleAPICallError as error:
                self.errors.append(error)
                raise

        return interleaved


def add_columns(client: bigquery.Client, table_id: str, *names: str) -> None:
    table = client.get_table(table_id)
    table.schema = [*table.schema, *(bigquery.SchemaField(n, "NUMERIC") for n in names)]
    client.update_table(table, ["schema"])


def test_column_added_meanwhile_by_another_process_is_not_added_again(target: BigQueryBackend) -> None:
    """Our update carries a stale etag (412): re-read, find `tip` there, keep the rival's `toll`, add nothing."""
    target.client.create_dataset(f"{target.emulator.project}.{target.dataset}")
    table_id = target.table_id("trips")
    target.client.create_table(bigquery.Table(table_id, schema=[bigquery.SchemaField("id", "INT64")]))
    schema = parse_schema_message(schema_message("trips", ID_AND_TIP), 1, False)
    with contextlib.closing(target.emulator.client()) as own:
        client = Interleaved(own, "update_table", lambda: add_columns(target.client, table_id, "tip", "toll"))
        as_client = cast(bigquery.Client, client)
        runner = JobRunner(as_client, "run1", timeout_seconds=60)
        evolved = ddl.evolve_table(as_client, runner, table_id, schema, IDENTIFIERS.columns(schema.names))
    assert evolved is not None
    assert [type(e) for e in client.errors] == [api.PreconditionFailed]
    assert [f.name for f in evolved[1].schema] == ["id", "tip", "toll"]
    assert list(target.bigquery_types("trips")) == ["id", "tip", "toll"]


def test_table_another_process_created_first_is_made_to_fit_and_never_deleted(target: BigQueryBackend) -> None:
    """The table appears between prepare and the first write: `at` is added to it, and when
    that write fails, close() leaves it (it is not this run's), unlike a table this run made."""
    schema = parse_schema_message(schema_message("trips", ID_AND_TIME, ["id"]), 1, False)
    bad = Batch(schema, pa.table({"id": [1], "at": ["not a time"]}), np.array([2]))
    table_id = target.table_id("trips")

    def rival() -> None:
        target.client.create_dataset(f"{target.emulator.project}.{target.dataset}", exists_ok=True)
        target.client.create_table(bigquery.Table(table_id, schema=[bigquery.SchemaField("id", "INT64")]))

    for rival_first in (True, False):
        loader = BigQueryLoader(target.config(job_timeout_seconds=60))
        loader.prepare(schema, overwrite=False)
        if rival_first:
            rival()
        with pytest.raises(LoadError, match="not a time"):
            loader.load(bad)
        loader.close()
        if rival_first:
            assert list(target.bigquery_types("trips")) == ["id", "at"]
            target.client.delete_table(table_id)
        else:
            assert "trips" not in target.tables()
