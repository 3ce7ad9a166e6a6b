"""The bench's rows as one Parquet file in the BigQuery table's types, for the baseline load job.

Written from the CSV twin of the Singer file, so the baseline loads exactly
the rows the target loads; run as `python -m bench.bigquery_parquet CSV OUT`
before the clock starts, in a child process, as pyarrow must stay out of the
measuring parent.
"""

from __future__ import annotations

import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from bench.bigquery_jobs import table_fields
from target_bigquery_lite.parquet_batch import NUMERIC_ARROW, TIMESTAMP_ARROW

# NUMERIC is read as text and cast, so no digit goes through a float.
READ_AS = {
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "BOOL": pa.bool_(),
    "STRING": pa.string(),
    "NUMERIC": pa.string(),
    "TIMESTAMP": TIMESTAMP_ARROW,
}


def write_parquet(csv_path: str, out: str) -> None:
    fields = table_fields()
    table = pacsv.read_csv(
        csv_path,
        pacsv.ReadOptions(column_names=[f.name for f in fields]),
        convert_options=pacsv.ConvertOptions(
            column_types={f.name: READ_AS[f.field_type] for f in fields}, null_values=[""], strings_can_be_null=True
        ),
    )
    columns = [
        table.column(f.name).cast(NUMERIC_ARROW) if f.field_type == "NUMERIC" else table.column(f.name) for f in fields
    ]
    pq.write_table(pa.table(columns, names=[f.name for f in fields]), out)


if __name__ == "__main__":
    write_parquet(sys.argv[1], sys.argv[2])
