"""An overwrite's records become durable only when the loader's finish swaps
them in at the end of a good input, so no STATE that needs them leaves
before; a run that fails never swaps."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest

from singer_lite_core.errors import InputError, LoadError
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.messages import read_messages
from singer_lite_core.target_driver.runner import TargetRunner
from singer_lite_core.target_driver.target_settings import LoadMethod
from tests.core.loader_doubles import SETTINGS, MemoryLoader
from tests.core.test_runner import refuse
from tests.support.singer_text import lines, record, schema_message, state

INPUT = lines(
    state(0),
    schema_message("s", {"id": {"type": "integer"}}, ["id"]),
    schema_message("empty", {"id": {"type": "integer"}}),
    *(m for i in (1, 2, 3) for m in (record("s", {"id": i}), state(i))),
)


def run_collecting(loader: MemoryLoader, emitted: list[Any]) -> None:
    settings = replace(SETTINGS, load_method=LoadMethod.OVERWRITE, batch_size_rows=1)
    TargetRunner(loader, settings, emitted.append).run(read_messages(io.BytesIO(INPUT.encode())))


def test_an_overwrite_releases_its_states_only_after_the_swap() -> None:
    loader = MemoryLoader()
    emitted: list[Any] = []
    run_collecting(loader, emitted)
    assert [b.table.column("id").to_pylist() for b in loader.batches] == [[1], [2], [3]]
    assert loader.finished == ["s", "empty"]
    # The STATE before the stream's first record needs nothing; the rest wait for the swap.
    assert emitted == [0, 3]


def test_an_overwrite_whose_swap_fails_releases_no_state_of_its_records() -> None:
    loader = MemoryLoader(on_finish=refuse(LoadError("swap refused")))
    emitted: list[Any] = []
    with pytest.raises(InputError) as raised:
        run_collecting(loader, emitted)
    assert str(raised.value) == "stream 's': swap refused"
    assert len(loader.batches) == 3
    assert emitted == [0]


def test_a_run_that_fails_before_the_end_finishes_no_stream() -> None:
    def refuse_the_second(batch: Batch) -> None:
        if batch.table.column("id").to_pylist() == [2]:
            raise LoadError("no")

    loader = MemoryLoader(on_load=refuse_the_second)
    emitted: list[Any] = []
    with pytest.raises(InputError):
        run_collecting(loader, emitted)
    assert loader.finished == []
    assert emitted == [0]
