"""Keeping the last record per key within a batch."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from singer_lite_core.target_driver.dedupe import last_per_key


def test_last_per_key_keeps_last_occurrence_in_input_order() -> None:
    table = pa.table({"k": [1, 2, 1, 3, 2], "v": ["a", "b", "c", "d", "e"]})
    kept, lines = last_per_key(table, np.arange(10, 15), ["k"])
    assert kept.to_pydict() == {"k": [1, 3, 2], "v": ["c", "d", "e"]}
    assert lines.tolist() == [12, 13, 14]


def test_a_stream_without_keys_keeps_every_row() -> None:
    table = pa.table({"k": [1, 1]})
    kept, lines = last_per_key(table, np.array([4, 5]), [])
    assert (kept.num_rows, lines.tolist()) == (2, [4, 5])


def test_keys_in_order_keep_every_row_and_a_repeat_or_null_among_them_is_still_dropped() -> None:
    in_order = pa.table({"file": ["a", "a", "b", "b"], "row": [1, 2, 1, 2], "v": [1, 2, 3, 4]})
    kept, lines = last_per_key(in_order, np.arange(4), ["file", "row"])
    assert (kept.to_pydict(), lines.tolist()) == (in_order.to_pydict(), [0, 1, 2, 3])
    repeated = pa.table({"file": ["a", "a", "a", "b"], "row": [1, 2, 2, 1], "v": [1, 2, 3, 4]})
    kept, lines = last_per_key(repeated, np.arange(4), ["file", "row"])
    assert (kept.column("v").to_pylist(), lines.tolist()) == ([1, 3, 4], [0, 2, 3])
    nulls = pa.table({"k": [1, None, None], "v": [1, 2, 3]})
    kept, lines = last_per_key(nulls, np.arange(3), ["k"])
    assert (kept.column("v").to_pylist(), lines.tolist()) == ([1, 3], [0, 2])
