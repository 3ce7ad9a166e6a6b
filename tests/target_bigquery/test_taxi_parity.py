"""Realistic taxi streams from the real tap land in BigQuery exactly as in PostgreSQL.

The two targets are meant to be interchangeable, so the same tap output is
loaded by both and every row is compared value by value (exact decimals,
instants, JSON), as well as the final STATE each target released.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from local_servers.postgres_server import PostgresServer
from tests.support.bigquery_backend import BigQueryBackend
from tests.support.postgres_backend import postgres_backend
from tests.support.singer_process import BIN
from tests.support.singer_text import states

KEYS = {"yellow_trips": ["source_file", "source_row"], "taxi_zones": ["LocationID"]}


@pytest.fixture(scope="module")
def taxi_stream(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data = tmp_path_factory.mktemp("taxi")
    subprocess.run(
        [BIN / "tap-nyc-taxi-sample", "--out", data, "--months", "2021-01", "--rows-per-month", "2000"],
        check=True,
        capture_output=True,
    )
    config = data / "tap.json"
    config.write_text(json.dumps({"source": str(data), "zone_lookup": str(data / "taxi_zone_lookup.csv")}))
    return subprocess.run([BIN / "tap-nyc-taxi", "--config", config], check=True, capture_output=True).stdout


def test_taxi_streams_land_as_in_postgres(
    target: BigQueryBackend, pg_server: PostgresServer, tmp_path: Path, taxi_stream: bytes
) -> None:
    bq_run = target.run(taxi_stream, batch_size_rows=700)
    assert bq_run.returncode == 0, bq_run.stderr
    (tmp_path / "pg").mkdir()
    with postgres_backend(pg_server, tmp_path / "pg") as postgres:
        pg_run = postgres.run(taxi_stream, batch_size_rows=700)
        assert pg_run.returncode == 0, pg_run.stderr
        assert states(bq_run) == states(pg_run)
        assert states(bq_run)
        for stream, keys in KEYS.items():
            columns = list(target.column_types(stream))
            assert set(columns) == set(postgres.column_types(stream))
            pg_rows = postgres.rows(stream, columns, keys)
            bq_rows = target.rows(stream, columns, keys)
            assert len(bq_rows) == len(pg_rows) == {"yellow_trips": 2000, "taxi_zones": 265}[stream]
            assert bq_rows == pg_rows
