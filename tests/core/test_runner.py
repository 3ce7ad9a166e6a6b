"""The runner in process: a column widens for its values through the one
mechanism (WiderTypeNeeded -> loader.prepare -> decode again), and a loader's
failure becomes one line naming the stream and input line(s)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from singer_lite_core.errors import ConnectorError, InputError, LoadError
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.stream_schema import StreamSchema
from tests.core.loader_doubles import ANY_PRECISION_TEXT, MemoryLoader, run
from tests.support.singer_text import lines, record, schema_message, state

NUMBERS = schema_message("s", {"id": {"type": "integer"}, "n": {"type": "integer"}, "x": {"type": "number"}}, ["id"])


def types_prepared(loader: MemoryLoader) -> list[tuple[L, ...]]:
    """The types of n and x in each schema the loader was asked to prepare."""
    return [tuple(c.type for c in schema.columns if c.name in ("n", "x")) for schema in loader.prepared]


def test_values_widen_their_columns_through_prepare_and_load_exactly() -> None:
    loader = MemoryLoader()
    emitted = run(
        loader,
        lines(
            NUMBERS,
            record("s", {"id": 1, "n": 5, "x": 1.5}),
            state(1),
            record("s", {"id": 2, "n": 2**64, "x": 1.0000000001}),
            state(2),
        ),
        batch_size_rows=1,
    )
    # The SCHEMA, then n past 64 bits, then x past NUMERIC-like (38, 9).
    assert types_prepared(loader) == [(L.INTEGER, L.DECIMAL), (L.DECIMAL, L.DECIMAL), (L.DECIMAL, L.WIDE_DECIMAL)]
    assert loader.tables["s"] == {"id": L.INTEGER, "n": L.DECIMAL, "x": L.WIDE_DECIMAL}
    first, second = loader.batches
    assert first.table.column("x").to_pylist() == [Decimal("1.5")]
    assert second.table.schema.field("n").type == pa.decimal128(38, 9)
    assert second.table.schema.field("x").type == pa.decimal256(76, 38)
    assert second.table.to_pylist() == [{"id": 2, "n": Decimal(2**64), "x": Decimal("1.0000000001")}]
    assert emitted == [1, 2]


def test_a_database_with_decimals_of_any_precision_widens_only_integers() -> None:
    loader = MemoryLoader(capabilities=ANY_PRECISION_TEXT)
    run(loader, lines(NUMBERS, record("s", {"id": 1, "n": 2**64, "x": 1.0000000001})))
    assert types_prepared(loader) == [(L.INTEGER, L.DECIMAL), (L.DECIMAL, L.DECIMAL)]
    assert loader.batches[0].table.to_pylist() == [{"id": 1, "n": "18446744073709551616", "x": "1.0000000001"}]


def test_a_loader_that_does_not_widen_stops_the_run_instead_of_asking_forever() -> None:
    loader = MemoryLoader(widens=False)
    with pytest.raises(ConnectorError) as raised:
        run(loader, lines(NUMBERS, record("s", {"id": 1, "n": 1, "x": 1.0000000001})))
    assert str(raised.value) == "stream 's': line 2: column 'x': the loader did not widen the column to wide_decimal"


def refuse(error: Exception) -> Callable[[Any], None]:
    """A loader step that fails with `error`."""

    def raising(_: Batch | StreamSchema) -> None:
        raise error

    return raising


THREE = lines(
    schema_message("s", {"id": {"type": "integer"}}, ["id"]),
    record("s", {"id": 1}),
    record("s", {"id": 1}),
    record("s", {"id": 2}),
)


def test_a_refused_row_names_its_input_line() -> None:
    """Line 2 is dropped for line 3 (same key), so batch row 0 is line 3."""
    loader = MemoryLoader(on_load=refuse(LoadError("column 'id': bad value", row=0)))
    with pytest.raises(InputError) as raised:
        run(loader, THREE)
    assert str(raised.value) == "stream 's': line 3: column 'id': bad value"


def test_a_refused_batch_names_its_lines() -> None:
    loader = MemoryLoader(on_load=refuse(LoadError("MERGE failed")))
    with pytest.raises(InputError) as raised:
        run(loader, THREE)
    assert str(raised.value) == "stream 's': lines 3-4: MERGE failed"


def test_a_refused_schema_names_the_schema_line() -> None:
    loader = MemoryLoader(on_prepare=refuse(LoadError("key properties changed")))
    with pytest.raises(InputError) as raised:
        run(loader, THREE)
    assert str(raised.value) == "stream 's': line 1: key properties changed"


def test_a_database_still_unavailable_after_every_retry_names_the_batch() -> None:
    loader = MemoryLoader(on_load=refuse(ConnectionResetError("connection reset")))
    with pytest.raises(ConnectorError) as raised:
        run(loader, THREE, retry_attempts=2)
    assert str(raised.value) == "stream 's': lines 3-4: database unavailable after 2 attempts: connection reset"


def test_records_before_their_schema_name_the_line() -> None:
    with pytest.raises(InputError) as raised:
        run(MemoryLoader(), lines(state(1), record("s", {"id": 1})))
    assert str(raised.value) == "stream 's': line 2: RECORD before the stream's SCHEMA"
