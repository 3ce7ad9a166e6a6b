"""Keeping only the last record per key within a batch.

Upserts in one statement fail when a key repeats (PostgreSQL: "ON CONFLICT
DO UPDATE command cannot affect row a second time"; BigQuery MERGE: "must
match at most one source row"), and Singer order says the last one wins.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

ROW = "__row"


def last_per_key(table: pa.Table, lines: np.ndarray, keys: Sequence[str]) -> tuple[pa.Table, np.ndarray]:
    """The table (and its line numbers) with earlier duplicates of a key dropped,
    the survivors kept in input order."""
    if not keys or table.num_rows < 2:
        return table, lines
    indexed = table.select(list(keys)).append_column(ROW, pa.array(np.arange(table.num_rows)))
    last = indexed.group_by(list(keys), use_threads=False).aggregate([(ROW, "max")]).column(f"{ROW}_max")
    if len(last) == table.num_rows:
        return table, lines
    keep = np.sort(last.to_numpy())
    return table.take(keep), lines[keep]
