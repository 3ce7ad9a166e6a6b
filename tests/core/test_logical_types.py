"""JSON Schema to logical types, and the join that widens them."""

from __future__ import annotations

from typing import Any

import pytest

from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.logical_types import join, logical_type


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer"}, L.INTEGER),
        ({"type": "integer", "minimum": -(2**70)}, L.DECIMAL),
        ({"type": ["null", "number"]}, L.DECIMAL),
        ({"type": ["integer", "number"]}, L.DECIMAL),
        ({"type": "string", "format": "date-time"}, L.TIMESTAMP),
        ({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}, L.TIMESTAMP),
        ({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string"}]}, L.STRING),
        ({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}, L.STRING),
        ({"type": ["boolean", "integer"]}, L.JSON),
        ({"type": ["string", "integer"]}, L.STRING),
        ({"type": ["object", "string"]}, L.JSON),
        ({"type": "array"}, L.JSON),
        ({}, L.JSON),
    ],
)
def test_logical_types(schema: dict[str, Any], expected: L) -> None:
    assert logical_type(schema) == expected


def test_number_as_float_and_join_is_symmetric() -> None:
    assert logical_type({"type": "number"}, number_as_float=True) == L.FLOAT
    for a in L:
        for b in L:
            assert join(a, b) == join(b, a)
            assert join(a, join(a, b)) == join(a, b)


@pytest.mark.parametrize("other", [L.INTEGER, L.FLOAT, L.DECIMAL, L.WIDE_DECIMAL])
def test_numbers_meet_in_the_wide_decimal_once_either_is_one(other: L) -> None:
    assert join(L.WIDE_DECIMAL, other) == L.WIDE_DECIMAL
    assert join(L.INTEGER, L.FLOAT) == L.DECIMAL
