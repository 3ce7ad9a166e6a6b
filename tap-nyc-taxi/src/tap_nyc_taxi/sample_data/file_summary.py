"""One-line descriptions of written files, with row counts read back from the files themselves.

Counting from the file rather than trusting the generator doubles as a check
that what was written parses.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq


def _row_count(path: Path) -> int:
    if path.suffix == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    parse_options = pa_csv.ParseOptions(newlines_in_values=True)
    with pa_csv.open_csv(path, parse_options=parse_options) as reader:
        return sum(batch.num_rows for batch in reader)


def describe_file(path: Path) -> str:
    return f"wrote {path}: {_row_count(path):,} rows, {path.stat().st_size:,} bytes"
