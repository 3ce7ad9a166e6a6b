"""Loads through a GCS bucket (`bucket`): each flushed batch is staged as a parquet
object on the session's local GCS API, the emulator's load job reads its gs://
URI, and the object goes once the load (and MERGE) committed; a tap's gs://
batch file in the table's types is loaded from where it is."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.cloud import storage

from local_servers.bigquery_emulator import BigQueryEmulator
from local_servers.gcs_server import GcsServer
from tests.support.bigquery_backend import STAGING_BUCKET, BigQueryBackend
from tests.support.singer_text import lines, record, schema_message, state, states
from tests.target_bigquery.fault_proxy import Fault, FaultProxy

ROWS = 200
BATCH_ROWS = 100
JOBS = "/bigquery/v2/projects/test-project/jobs?"
JOBS_API_UPLOAD = "/upload/bigquery/v2/"
TAP_BUCKET = "tap-batches"
PROPERTIES = {
    "id": {"type": "integer"},
    "fare": {"type": "number"},
    "at": {"type": ["string", "null"], "format": "date-time"},
    "zone": {"type": ["string", "null"]},
}
START = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def gcs(gcs_server: GcsServer) -> Iterator[storage.Client]:
    client = gcs_server.client()
    if client.lookup_bucket(TAP_BUCKET) is None:
        client.create_bucket(TAP_BUCKET)
    yield client
    client.close()


@pytest.fixture
def proxy(emulator: BigQueryEmulator) -> Iterator[FaultProxy]:
    with FaultProxy(emulator.endpoint) as proxy:
        yield proxy


def staged(gcs: storage.Client, target: BigQueryBackend, prefix: str = "") -> list[str]:
    """Names of the objects staged for the test's dataset."""
    folder = f"{prefix}/{target.dataset}/" if prefix else f"{target.dataset}/"
    return sorted(blob.name for blob in gcs.list_blobs(STAGING_BUCKET, prefix=folder))


def trip(i: int) -> dict[str, Any]:
    at = (START + dt.timedelta(minutes=i)).isoformat()
    return {"id": i, "fare": f"{i}.25", "at": at, "zone": None if i % 7 == 0 else f"z{i % 5}"}


def trips(stream: str, ids: range, keys: list[str] | None = None) -> list[dict[str, Any]]:
    """The rows as RECORDs, with a STATE after each flush of BATCH_ROWS."""
    messages = [schema_message(stream, PROPERTIES, keys)]
    for i in ids:
        messages.append(record(stream, trip(i)))
        if i % BATCH_ROWS == 0:
            messages.append(state({stream: i}))
    return messages


def expected(ids: range, fare_offset: str = ".25") -> list[tuple[Any, ...]]:
    return [
        (i, Decimal(f"{i}{fare_offset}"), START + dt.timedelta(minutes=i), None if i % 7 == 0 else f"z{i % 5}")
        for i in ids
    ]


def test_append_and_upsert_land_through_the_bucket_whose_objects_go_after_commit(
    target: BigQueryBackend, gcs: storage.Client, proxy: FaultProxy
) -> None:
    ids = range(1, ROWS + 1)
    # The upsert's last flush updates rows of its first one.
    updates = [record("people", {**trip(i), "fare": f"{i}.75"}) for i in range(1, 11)]
    data = lines(*trips("trips", ids), *trips("people", ids, ["id"]), *updates, state({"people": "updated"}))
    run = target.run(data, api_endpoint=proxy.endpoint, bucket=STAGING_BUCKET, batch_size_rows=BATCH_ROWS)
    assert run.returncode == 0, run.stderr
    # Every load job read a gs:// URI: nothing went up through the jobs API.
    assert not [seen for seen in proxy.seen if seen.path.startswith(JOBS_API_UPLOAD)]
    columns = ["id", "fare", "at", "zone"]
    assert target.rows("trips", columns, order_by="id") == expected(ids)
    people = expected(range(1, 11), ".75") + expected(range(11, ROWS + 1))
    assert target.rows("people", columns, order_by="id") == people
    assert target.column_types("people") == target.column_types("trips")
    assert target.column_types("trips") == {"id": "integer", "fare": "decimal", "at": "timestamp", "zone": "string"}
    flushes = range(BATCH_ROWS, ROWS + 1, BATCH_ROWS)
    assert states(run) == [{"trips": i} for i in flushes] + [{"people": i} for i in flushes] + [{"people": "updated"}]
    assert staged(gcs, target) == []


def test_a_failed_gs_load_releases_no_state_past_it_and_the_rerun_lands_exact_rows(
    target: BigQueryBackend, gcs: storage.Client, proxy: FaultProxy
) -> None:
    ids = range(1, 2 * BATCH_ROWS + 1)
    proxy.inject(Fault("POST", JOBS, status=403, reason="accessDenied", after=1))
    run = target.run(
        lines(*trips("trips", ids)), api_endpoint=proxy.endpoint, bucket=STAGING_BUCKET, batch_size_rows=BATCH_ROWS
    )
    assert run.returncode != 0
    assert states(run) == [{"trips": BATCH_ROWS}]
    # The first batch's object went with its commit; the failed one's stays for a lifecycle rule.
    (left,) = staged(gcs, target)
    assert left.endswith("/103.parquet")
    error = run.stderr.strip().splitlines()[-1]
    assert error == target.error_line(
        f"stream 'trips': lines 103-202: gs://{STAGING_BUCKET}/{left}: "
        "BigQuery 403: injected by the test proxy: accessDenied"
    )
    assert "Traceback" not in run.stderr
    assert target.count("trips") == BATCH_ROWS
    # The tap resumes after the last STATE it got.
    rest = lines(schema_message("trips", PROPERTIES), *trips("trips", range(BATCH_ROWS + 1, 2 * BATCH_ROWS + 1))[1:])
    rerun = target.run(rest, bucket=STAGING_BUCKET, batch_size_rows=BATCH_ROWS)
    assert rerun.returncode == 0, rerun.stderr
    assert states(rerun) == [{"trips": 2 * BATCH_ROWS}]
    assert target.rows("trips", ["id", "fare", "at", "zone"], order_by="id") == expected(ids)
    assert staged(gcs, target) == [left]


def test_kept_objects_are_named_by_prefix_table_run_and_batch_and_a_retried_upload_overwrites_its_own(
    target: BigQueryBackend, gcs: storage.Client, gcs_server: GcsServer
) -> None:
    ids = range(1, 2 * BATCH_ROWS + 1)
    with FaultProxy(gcs_server.endpoint_url) as gcs_proxy:
        # The first upload lands but its answer is lost: the committer retries the batch.
        gcs_proxy.inject(Fault("POST", f"/upload/storage/v1/b/{STAGING_BUCKET}/o", action="reset_after"))
        run = target.run(
            lines(*trips("trips", ids)),
            env={"STORAGE_EMULATOR_HOST": gcs_proxy.endpoint},
            bucket=STAGING_BUCKET,
            bucket_prefix="/loads/bq/",
            clean_up_staged_objects=False,
            batch_size_rows=BATCH_ROWS,
        )
    assert run.returncode == 0, run.stderr
    assert len(gcs_proxy.outcomes("reset after")) == 1
    assert "transient database error, retrying" in run.stderr
    assert target.rows("trips", ["id", "fare", "at", "zone"], order_by="id") == expected(ids)
    assert states(run) == [{"trips": BATCH_ROWS}, {"trips": 2 * BATCH_ROWS}]
    # One object per batch, the retried one included, all of one run.
    names = staged(gcs, target, "loads/bq")
    assert len(names) == 2
    assert all(re.fullmatch(rf"loads/bq/{target.dataset}/trips/[0-9a-f]{{12}}/\d+\.parquet", n) for n in names)
    assert len({n.split("/")[-2] for n in names}) == 1
    staged_ids = [
        pq.read_table(io.BytesIO(gcs.bucket(STAGING_BUCKET).blob(n).download_as_bytes())).column("id").to_pylist()
        for n in names
    ]
    assert sorted(i for batch in staged_ids for i in batch) == list(ids)


@pytest.mark.parametrize(
    ("bucket", "status", "refusal"),
    [
        ("no-such-bucket", None, "bucket 'no-such-bucket' does not exist"),
        (
            STAGING_BUCKET,
            403,
            f"permission denied on bucket '{STAGING_BUCKET}' (the account needs storage.objects.create and "
            "storage.objects.delete on it): injected by the test proxy: forbidden",
        ),
    ],
)
def test_a_missing_bucket_or_a_refused_upload_is_one_line_naming_the_object_and_writes_nothing(
    target: BigQueryBackend, gcs_server: GcsServer, bucket: str, status: int | None, refusal: str
) -> None:
    with FaultProxy(gcs_server.endpoint_url) as gcs_proxy:
        if status is not None:
            gcs_proxy.inject(Fault("POST", "/upload/storage/v1/b/", status=status, reason="forbidden"))
        run = target.run(
            lines(*trips("trips", range(1, 4))), env={"STORAGE_EMULATOR_HOST": gcs_proxy.endpoint}, bucket=bucket
        )
    assert run.returncode != 0
    assert states(run) == []
    assert "Traceback" not in run.stderr
    assert re.fullmatch(
        re.escape(target.error_line(f"stream 'trips': lines 2-4: gs://{bucket}/"))
        + rf"{target.dataset}/trips/[0-9a-f]{{12}}/2\.parquet: cannot stage the batch: "
        + re.escape(refusal),
        run.stderr.strip().splitlines()[-1],
    )
    assert target.tables() == set()


def test_a_gs_batch_file_in_the_tables_types_is_loaded_from_its_uri(
    target: BigQueryBackend, gcs: storage.Client, proxy: FaultProxy
) -> None:
    ids = range(1, ROWS + 1)
    table = pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "fare": pa.array([Decimal(f"{i}.25") for i in ids], pa.decimal128(38, 9)),
            "at": pa.array([START + dt.timedelta(minutes=i) for i in ids], pa.timestamp("us", "UTC")),
            "zone": pa.array([None if i % 7 == 0 else f"z{i % 5}" for i in ids], pa.string()),
        }
    )
    data = io.BytesIO()
    pq.write_table(table, data)
    name = f"{target.dataset}/trips-0001.parquet"
    gcs.bucket(TAP_BUCKET).blob(name).upload_from_string(data.getvalue())
    manifest = {
        "type": "BATCH",
        "stream": "trips",
        "encoding": {"format": "parquet", "compression": "none"},
        "manifest": [f"gs://{TAP_BUCKET}/{name}"],
    }
    run = target.run(
        lines(schema_message("trips", PROPERTIES), manifest, state({"files": 1})),
        api_endpoint=proxy.endpoint,
        bucket=STAGING_BUCKET,
        clean_up_staged_objects=False,
    )
    assert run.returncode == 0, run.stderr
    assert "the batch file is loaded from where it is" in run.stderr
    assert staged(gcs, target) == []
    assert not [seen for seen in proxy.seen if seen.path.startswith(JOBS_API_UPLOAD)]
    assert target.rows("trips", ["id", "fare", "at", "zone"], order_by="id") == expected(ids)
    assert states(run) == [{"files": 1}]
    # The tap's object is the tap's (clean_up_batch_files is off).
    assert gcs.bucket(TAP_BUCKET).blob(name).exists()
