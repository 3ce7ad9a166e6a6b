"""Decimals from the reader come at the narrowest scale that keeps every value,
whether their unscaled integers fit 64 bits (read off the buffers) or not."""

from __future__ import annotations

from decimal import Decimal as D

import pyarrow as pa
import pytest

from singer_lite_core.target_driver.decimal_columns import ANY_PRECISION_READ_TYPE, DecimalColumns
from tests.core.loader_doubles import ANY_PRECISION_TYPED


def read(*chunks: list[D | None]) -> pa.ChunkedArray:
    arrays = [pa.array(chunk, ANY_PRECISION_READ_TYPE) for chunk in chunks]
    # A sliced chunk has an offset into its buffers, as the reader's chunks may.
    return pa.chunked_array([arrays[0].slice(1), *arrays[1:]], ANY_PRECISION_READ_TYPE)


@pytest.mark.parametrize(
    ("chunks", "scale"),
    [
        ([[D("0.123"), D("7.08"), None, D("-1.5")], [D("2"), None]], 2),
        ([[None, D("7"), D("-10")], [None]], 0),
        ([[None, None]], 0),
        ([[D("1"), D("-0.0001")], [D("1.1")]], 4),
        ([[D("0"), D("1.000000001")]], 9),
        # Past 64 bits unscaled: Arrow compares instead.
        ([[D("0"), D(9 * 10**28), D("0.5")]], 1),
        ([[D("0"), D(-(10**28)), D("0.123456789")]], 9),
    ],
)
def test_the_narrowest_scale_that_keeps_every_value(chunks: list[list[D | None]], scale: int) -> None:
    values = read(*chunks)
    narrowed = DecimalColumns(ANY_PRECISION_TYPED).from_reader(values)
    narrowed.validate(full=True)
    assert narrowed.type.scale == scale
    assert narrowed.type.precision - scale == ANY_PRECISION_READ_TYPE.precision - ANY_PRECISION_READ_TYPE.scale
    assert narrowed.to_pylist() == values.to_pylist()
    assert narrowed.null_count == values.null_count
