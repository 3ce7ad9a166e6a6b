"""Round trip through the real google-cloud-bigquery client and the local emulator.

This is the canary for every BigQuery test: if Parquet written by pyarrow
cannot go in through a load job and come back with BigQuery types through a
query job, nothing built on the emulator harness can be trusted. It runs on the
session's emulator (tests/conftest.py), so it skips or fails as every
BigQuery test does when the emulator cannot start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.cloud import bigquery

from local_servers.bigquery_emulator import BigQueryEmulator

SCHEMA = [
    bigquery.SchemaField("trip_id", "INT64", mode="REQUIRED"),
    bigquery.SchemaField("vendor", "STRING"),
    bigquery.SchemaField("fare", "NUMERIC"),
    bigquery.SchemaField("distance", "FLOAT64"),
    bigquery.SchemaField("shared", "BOOL"),
    bigquery.SchemaField("pickup_at", "TIMESTAMP"),
    bigquery.SchemaField("pickup_date", "DATE"),
]
# The API reports the legacy type names, exactly as real BigQuery does.
REPORTED_TYPES = [
    ("trip_id", "INTEGER"),
    ("vendor", "STRING"),
    ("fare", "NUMERIC"),
    ("distance", "FLOAT"),
    ("shared", "BOOLEAN"),
    ("pickup_at", "TIMESTAMP"),
    ("pickup_date", "DATE"),
]
# What the client must hand back for a fully populated row.
PYTHON_TYPES = [int, str, Decimal, float, bool, dt.datetime, dt.date]
PICKUP = dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)
MAX_NUMERIC = Decimal("99999999999999999999999999999.999999999")
# Ordered by trip_id, the order the query returns them in; the extremes catch
# any lossy hop (float for NUMERIC, milliseconds for TIMESTAMP, int53 for INT64).
EXPECTED_ROWS = [
    (-5, None, None, None, None, None, None),
    (1, "CMT", Decimal("12.5"), 1.25, True, PICKUP, dt.date(2024, 1, 2)),
    (2**63 - 1, "VTS", MAX_NUMERIC, 0.0, False, PICKUP, dt.date(1970, 1, 1)),
]


@pytest.fixture
def client(emulator: BigQueryEmulator) -> Iterator[bigquery.Client]:
    """Give each test its own client so a broken session cannot leak between tests."""
    with contextlib.closing(emulator.client()) as client:
        yield client


def _trips_parquet() -> io.BytesIO:
    columns = list(zip(*EXPECTED_ROWS, strict=True))
    table = pa.table(
        {
            "trip_id": pa.array(columns[0], pa.int64()),
            "vendor": pa.array(columns[1], pa.string()),
            "fare": pa.array(columns[2], pa.decimal128(38, 9)),
            "distance": pa.array(columns[3], pa.float64()),
            "shared": pa.array(columns[4], pa.bool_()),
            "pickup_at": pa.array(columns[5], pa.timestamp("us", tz="UTC")),
            "pickup_date": pa.array(columns[6], pa.date32()),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    buffer.seek(0)
    return buffer


def test_parquet_load_round_trips_values_and_types(emulator: BigQueryEmulator, client: bigquery.Client) -> None:
    """Load with an explicit schema, as target-bigquery-lite does, then read back."""
    table_id = f"{emulator.project}.roundtrip.trips"
    client.create_dataset(f"{emulator.project}.roundtrip")
    client.create_table(bigquery.Table(table_id, schema=SCHEMA))
    job_config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.PARQUET,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        schema=SCHEMA,
    )

    load = client.load_table_from_file(_trips_parquet(), table_id, job_config=job_config)
    load.result(timeout=60)

    assert load.output_rows == len(EXPECTED_ROWS)
    result = client.query(f"SELECT * FROM `{table_id}` ORDER BY trip_id").result(timeout=60)
    assert [(field.name, field.field_type) for field in result.schema] == REPORTED_TYPES
    rows = [tuple(row.values()) for row in result]
    assert rows == EXPECTED_ROWS
    assert [type(value) for value in rows[1]] == PYTHON_TYPES
    assert rows[1][5].utcoffset() == dt.timedelta(0)
