"""Keeping only the last record per key within a batch.

Upserts in one statement fail when a key repeats (PostgreSQL: "ON CONFLICT
DO UPDATE command cannot affect row a second time"; BigQuery MERGE: "must
match at most one source row"), and Singer order says the last one wins.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROW = "__row"


def last_per_key(table: pa.Table, lines: np.ndarray, keys: Sequence[str]) -> tuple[pa.Table, np.ndarray]:
    """The table (and its line numbers) with earlier duplicates of a key dropped,
    the survivors kept in input order."""
    if not keys or table.num_rows < 2 or _keys_increase(table, keys):
        return table, lines
    indexed = table.select(list(keys)).append_column(ROW, pa.array(np.arange(table.num_rows)))
    last = indexed.group_by(list(keys), use_threads=False).aggregate([(ROW, "max")]).column(f"{ROW}_max")
    if len(last) == table.num_rows:
        return table, lines
    keep = np.sort(last.to_numpy())
    return table.take(keep), lines[keep]


def _keys_increase(table: pa.Table, keys: Sequence[str]) -> bool:
    """Whether every row's key is greater than the one before (compared column
    by column), which proves the keys distinct. Taps send rows in key order
    (a file's rows by row number), and a few comparisons of neighbours cost a
    twentieth of hashing every key into groups; any other order, a NULL or a
    key type Arrow does not order is left to the grouping."""
    earlier, later = table.slice(0, table.num_rows - 1), table.slice(1)
    greater = pa.scalar(False)
    tied = pa.scalar(True)
    try:
        for key in keys:
            before, after = earlier.column(key), later.column(key)
            greater = pc.or_kleene(greater, pc.and_kleene(tied, pc.greater(after, before)))
            tied = pc.and_kleene(tied, pc.equal(after, before))
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return pc.all(greater, skip_nulls=False).as_py() is True
