"""The parquet reader holds a page per column, not a row group: memory does not grow with the file.

High-volume FHV months run to 24 million rows, and a writer may put millions
of them in one row group. The reader's Arrow allocations are watched while it
iterates over a file whose single row group is far larger than the bound.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tap_nyc_taxi.table_readers import ParquetReader

ROWS = 2_000_000
COLUMNS = ("a", "b", "c")
BATCH_ROWS = 10_000
MB = 1 << 20


@pytest.fixture(scope="module")
def one_big_row_group(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random doubles do not compress: the row group is about 48 MB on disk, 16 MB per column chunk."""
    rng = np.random.default_rng(5)
    table = pa.table({name: rng.random(ROWS) for name in COLUMNS})
    path = tmp_path_factory.mktemp("parquet") / "big_group.parquet"
    pq.write_table(table, path, row_group_size=ROWS, compression="snappy")
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    return path


def test_peak_arrow_memory_stays_below_one_column_chunk(one_big_row_group: Path) -> None:
    baseline = pa.total_allocated_bytes()
    reader = ParquetReader(one_big_row_group, one_big_row_group.name, BATCH_ROWS)
    peak, rows = 0, 0
    for _, batch in reader.batches(0):
        rows += batch.num_rows
        peak = max(peak, pa.total_allocated_bytes() - baseline)
        del batch
    assert rows == ROWS
    assert peak < 12 * MB, f"the reader held {peak / MB:.1f} MB"


def test_a_start_row_inside_the_big_row_group_resumes_exactly(one_big_row_group: Path) -> None:
    start = 1_234_567
    reader = ParquetReader(one_big_row_group, one_big_row_group.name, BATCH_ROWS)
    batches = list(reader.batches(start))
    assert batches[0][0] == start
    assert sum(batch.num_rows for _, batch in batches) == ROWS - start
    expected = pq.read_table(one_big_row_group, columns=["a"]).column("a").slice(start, 5).to_pylist()
    assert batches[0][1].column(0).slice(0, 5).to_pylist() == expected
