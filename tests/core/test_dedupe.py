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
