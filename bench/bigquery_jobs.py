"""The BigQuery API calls of bench.target_bigquery, each run as a child process.

The measuring parent must stay small (see bench/measure.py), so it never
imports the BigQuery client; it runs `python -m bench.bigquery_jobs JOB ARGS`
instead, ARGS being the job's arguments as a JSON list. `native_load` is the
baseline it times: like the target, it pays interpreter and client start-up.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from bench.pg_yellow_stream import STREAM, stream_schema
from singer_lite_core.target_driver.stream_schema import parse_schema_message
from target_bigquery_lite import sql
from target_bigquery_lite.column_types import NATIVE_TYPES


def client(endpoint: str, project: str) -> bigquery.Client:
    return bigquery.Client(
        project=project,
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]  # google-auth leaves it unannotated
        client_options={"api_endpoint": endpoint},
    )


def table_fields() -> list[bigquery.SchemaField]:
    """The columns the target itself creates, so both sides load the same types."""
    schema = parse_schema_message({"stream": STREAM, "schema": stream_schema()[0]}, 1, number_as_float=False)
    return [bigquery.SchemaField(c.name, NATIVE_TYPES[c.type]) for c in schema.columns]


def fresh(endpoint: str, project: str, dataset: str, create_table: bool) -> None:
    """An empty dataset, holding the stream's empty table when `create_table`."""
    bq = client(endpoint, project)
    bq.delete_dataset(f"{project}.{dataset}", delete_contents=True, not_found_ok=True)
    bq.create_dataset(f"{project}.{dataset}")
    if create_table:
        bq.create_table(bigquery.Table(f"{project}.{dataset}.{STREAM}", schema=table_fields()))


def count(endpoint: str, project: str, dataset: str) -> None:
    """Prints the rows of the stream's table."""
    rows = client(endpoint, project).query(f"SELECT COUNT(*) FROM `{project}.{dataset}.{STREAM}`").result()
    print(next(iter(rows))[0])


def native_load(endpoint: str, project: str, dataset: str, parquet: str, keys: list[str]) -> None:
    """The baseline: one load job (into a staging table, then one MERGE, when keyed)."""
    bq = client(endpoint, project)
    final = bq.get_table(f"{project}.{dataset}.{STREAM}")
    destination = f"{project}.{dataset}.stage" if keys else sql.table_path(final)
    config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.PARQUET,
        schema=final.schema,
        write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE if keys else bigquery.WriteDisposition.WRITE_APPEND,
    )
    with open(parquet, "rb") as data:
        bq.load_table_from_file(data, destination, job_config=config).result()
    if keys:
        bq.query(sql.merge(sql.table_path(final), destination, [f.name for f in final.schema], keys)).result()


JOBS: dict[str, Callable[..., None]] = {"fresh": fresh, "count": count, "native_load": native_load}


if __name__ == "__main__":
    JOBS[sys.argv[1]](*json.loads(sys.argv[2]))
