"""dlt's strongest PostgreSQL path, run inside the bench's own dlt virtualenv (bench/dlt_baseline.py).

Loads one parquet file into a new table with dlt's `parquet` loader file
format, which dlt hands to the ADBC PostgreSQL driver (Arrow to binary
COPY) when adbc-driver-postgresql is installed. The file is read as Arrow
record batches, so dlt takes its arrow fast path (no Python rows). Fails if
dlt did not load through ADBC, since then it measured some other path.

Usage: python bench/dlt_load.py PARQUET_FILE POSTGRES_URL DATASET WORK_DIR
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import dlt
import pyarrow as pa
import pyarrow.parquet as pq


def main() -> None:
    path, url, dataset, work = sys.argv[1:5]

    source = pq.ParquetFile(path)

    def batches() -> Iterator[pa.RecordBatch]:
        yield from source.iter_batches(batch_size=65_536)

    # A column typed null in the file (airport_fee before 2021-03) would be left out by dlt; our
    # pipe loads it as the stream schema's number, so dlt is told to load it too.
    nulls = {field.name: {"data_type": "double"} for field in source.schema_arrow if pa.types.is_null(field.type)}

    pipeline = dlt.pipeline(
        pipeline_name="bench_pipe",
        pipelines_dir=work,
        destination=dlt.destinations.postgres(credentials=url),
        dataset_name=dataset,
    )
    info = pipeline.run(
        dlt.resource(batches(), name="yellow_trips", columns=nulls),
        loader_file_format="parquet",
        write_disposition="append",
    )
    jobs = [job for package in info.load_packages for job in package.jobs["completed_jobs"]]
    formats = {job.job_file_info.file_format for job in jobs if job.job_file_info.table_name == "yellow_trips"}
    if formats != {"parquet"}:
        raise SystemExit(f"dlt loaded yellow_trips as {sorted(formats)}, not parquet through ADBC")


if __name__ == "__main__":
    main()
