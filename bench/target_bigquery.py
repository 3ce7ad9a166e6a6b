"""target-bigquery-lite against the client's own Parquet load, on the same rows, in one run.

Loads a generated yellow-taxi stream (default 200k rows; the emulator is
slow) into fresh datasets of a local BigQuery emulator and prints rows/s for
the target and for the native baseline measured moments apart, with their
ratio and each process's peak memory:
  unkeyed stream: load_table_from_file of the same rows as one Parquet file;
  keyed stream:   the same load into a staging table, then one MERGE.
The baseline runs as a child process too, so both pay interpreter and
client start-up; its Parquet file is written before the clock starts.

Linux keeps a process's peak RSS across exec, so a child reports at least
what its parent held when forking it. This process therefore never imports
pyarrow or the BigQuery client: every API call runs in a helper child.

Usage: python bench/target_bigquery.py [--rows 200000] [--runs 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from measure import Measurement, measure, report  # noqa: E402
from pg_yellow_stream import STREAM, YellowFiles, yellow_files  # noqa: E402

from local_servers.bigquery_emulator import BigQueryEmulator  # noqa: E402

if TYPE_CHECKING:
    from google.cloud import bigquery

BIN = Path(sys.executable).parent


def _client(endpoint: str, project: str) -> bigquery.Client:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=project, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint)
    )


def _table_fields(files: YellowFiles) -> list[bigquery.SchemaField]:
    """The columns the target itself creates, so both sides load the same types."""
    from google.cloud import bigquery

    from singer_lite_core.target_driver.stream_schema import parse_schema_message
    from target_bigquery_lite.bq_types import BQ_TYPES

    schema = parse_schema_message({"stream": STREAM, "schema": files.schema}, 1, number_as_float=False)
    return [bigquery.SchemaField(c.name, BQ_TYPES[c.type]) for c in schema.columns]


def helper_parquet(files: YellowFiles, path: str) -> None:
    """The same rows as the Singer file, from its CSV twin, in the table's types."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from target_bigquery_lite.parquet_batch import NUMERIC_ARROW, TIMESTAMP_ARROW

    read_as = {
        "INT64": pa.int64(),
        "FLOAT64": pa.float64(),
        "BOOL": pa.bool_(),
        "STRING": pa.string(),
        "NUMERIC": pa.string(),
        "TIMESTAMP": TIMESTAMP_ARROW,
    }
    fields = _table_fields(files)
    table = pacsv.read_csv(
        files.csv_path,
        pacsv.ReadOptions(column_names=[f.name for f in fields]),
        convert_options=pacsv.ConvertOptions(
            column_types={f.name: read_as[f.field_type] for f in fields}, null_values=[""], strings_can_be_null=True
        ),
    )
    columns = [
        table.column(f.name).cast(NUMERIC_ARROW) if f.field_type == "NUMERIC" else table.column(f.name) for f in fields
    ]
    pq.write_table(pa.table(columns, names=[f.name for f in fields]), path)


def helper_fresh(files: YellowFiles, endpoint: str, project: str, dataset: str, create_table: bool) -> None:
    from google.cloud import bigquery

    client = _client(endpoint, project)
    client.delete_dataset(f"{project}.{dataset}", delete_contents=True, not_found_ok=True)
    client.create_dataset(f"{project}.{dataset}")
    if create_table:
        client.create_table(bigquery.Table(f"{project}.{dataset}.{STREAM}", schema=_table_fields(files)))


def helper_count(endpoint: str, project: str, dataset: str) -> None:
    client = _client(endpoint, project)
    rows = client.query(f"SELECT COUNT(*) FROM `{project}.{dataset}.{STREAM}`").result()
    print(next(iter(rows))[0])


def helper_native_load(endpoint: str, project: str, dataset: str, parquet: str, keys: list[str]) -> None:
    """The baseline: one load job (into a staging table, then one MERGE, when keyed)."""
    from google.cloud import bigquery

    from target_bigquery_lite import sql

    client = _client(endpoint, project)
    final = client.get_table(f"{project}.{dataset}.{STREAM}")
    destination = f"{project}.{dataset}.stage" if keys else sql.table_path(final)
    config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.PARQUET,
        schema=final.schema,
        write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE if keys else bigquery.WriteDisposition.WRITE_APPEND,
    )
    with open(parquet, "rb") as data:
        client.load_table_from_file(data, destination, job_config=config).result()
    if keys:
        client.query(sql.merge(sql.table_path(final), destination, [f.name for f in final.schema], keys)).result()


HELPERS = {"parquet": helper_parquet, "fresh": helper_fresh, "count": helper_count, "native_load": helper_native_load}


# --rows and --seed of this run, handed to helpers so they see the same files.
SAMPLE: list[str] = []


def helper_command(name: str, *args: Any) -> list[str]:
    return [sys.executable, __file__, *SAMPLE, "--helper", name, json.dumps(args)]


def call_helper(name: str, *args: Any) -> str:
    return subprocess.run(helper_command(name, *args), check=True, capture_output=True, text=True).stdout


def run_baseline(emulator: BigQueryEmulator, files: YellowFiles, keyed: bool, parquet: Path) -> Measurement:
    dataset = f"baseline_{'keyed' if keyed else 'unkeyed'}"
    where = (emulator.endpoint, emulator.project, dataset)
    call_helper("fresh", *where, True)
    result = measure(helper_command("native_load", *where, str(parquet), files.key_properties if keyed else []))
    landed = int(call_helper("count", *where))
    assert landed == files.rows, f"baseline loaded {landed} rows of {files.rows}"
    return result


def run_target(emulator: BigQueryEmulator, files: YellowFiles, keyed: bool, work: Path) -> Measurement:
    dataset = f"target_{'keyed' if keyed else 'unkeyed'}"
    where = (emulator.endpoint, emulator.project, dataset)
    call_helper("fresh", *where, False)
    config = work / "config.json"
    config.write_text(json.dumps({"project": emulator.project, "dataset": dataset, "api_endpoint": emulator.endpoint}))
    with (work / "state.out").open("wb") as state_out:
        result = measure(
            [str(BIN / "target-bigquery-lite"), "--config", str(config), "--input", str(files.singer_path(keyed))],
            stdout=state_out,
            env={"LOG_LEVEL": "WARNING"},
        )
    assert int(call_helper("count", *where)) == files.rows
    last_state = (work / "state.out").read_text().splitlines()[-1]
    assert json.loads(last_state) == {"bookmarks": {STREAM: {"rows": files.rows}}}, last_state
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each; the fastest counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--helper", choices=HELPERS, help=argparse.SUPPRESS)
    parser.add_argument("helper_args", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    files = yellow_files(args.rows, args.seed)
    SAMPLE[:] = ["--rows", str(args.rows), "--seed", str(args.seed)]
    if args.helper:
        HELPERS[args.helper](*([files] if args.helper in ("parquet", "fresh") else []), *json.loads(args.helper_args))
        return
    with BigQueryEmulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parquet = work / "baseline.parquet"
        call_helper("parquet", str(parquet))
        for keyed in (False, True):
            label = "keyed (upsert)" if keyed else "unkeyed (append)"
            baseline = min(
                (run_baseline(emulator, files, keyed, parquet) for _ in range(args.runs)), key=lambda m: m.seconds
            )
            target = min((run_target(emulator, files, keyed, work) for _ in range(args.runs)), key=lambda m: m.seconds)
            native = "load_table_from_file" if not keyed else "load_table_from_file + MERGE"
            report(f"{label}: {native}", files.rows, baseline)
            report(f"{label}: target-bigquery-lite", files.rows, target, baseline)


if __name__ == "__main__":
    main()
