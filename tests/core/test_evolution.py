"""The one schema-evolution rule both targets follow, in process."""

from __future__ import annotations

import itertools

import pytest

from singer_lite_core.target_driver.evolution import evolved_type
from singer_lite_core.target_driver.logical_types import LogicalType as L
from singer_lite_core.target_driver.logical_types import join

PAIRS = list(itertools.product(L, L))


@pytest.mark.parametrize(("existing", "declared"), PAIRS)
def test_the_column_never_narrows(existing: L, declared: L) -> None:
    """The evolved type holds every value of the old type and of the new one."""
    evolved = evolved_type(existing, declared)
    assert join(evolved, existing) == evolved
    assert join(evolved, declared) == evolved


@pytest.mark.parametrize(("existing", "declared"), PAIRS)
def test_evolving_again_with_the_same_schema_changes_nothing(existing: L, declared: L) -> None:
    evolved = evolved_type(existing, declared)
    assert evolved_type(evolved, declared) == evolved


@pytest.mark.parametrize(
    ("existing", "declared", "evolved"),
    [
        (L.INTEGER, L.DECIMAL, L.DECIMAL),
        (L.DECIMAL, L.INTEGER, L.DECIMAL),  # a narrower schema leaves the column as it is
        (L.INTEGER, L.FLOAT, L.DECIMAL),
        (L.DECIMAL, L.STRING, L.STRING),
        (L.TIMESTAMP, L.DATE, L.STRING),
        (L.BOOLEAN, L.INTEGER, L.JSON),
        (L.JSON, L.STRING, L.JSON),  # strings are stored as JSON strings; no rewrite, no loss
        (L.STRING, L.JSON, L.JSON),
        (L.JSON, L.INTEGER, L.JSON),
    ],
)
def test_evolved_types(existing: L, declared: L, evolved: L) -> None:
    assert evolved_type(existing, declared) == evolved


@pytest.mark.parametrize("declared", list(L))
def test_a_column_of_a_type_no_target_creates_is_given_the_declared_type(declared: L) -> None:
    assert evolved_type(None, declared) == declared
