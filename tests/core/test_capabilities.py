"""What each kind of database gets for its decimals, derived from its
capabilities alone, and what the two targets declare."""

from __future__ import annotations

import pyarrow as pa
import pytest

from singer_lite_core.target_driver.capabilities import DecimalType, LoaderCapabilities
from singer_lite_core.target_driver.decimal_columns import ANY_PRECISION_READ_TYPE, DecimalColumns, arrow_type
from singer_lite_core.target_driver.logical_types import LogicalType as L
from target_bigquery_lite.loader import BigQueryLoader
from target_postgres_lite.loader import PostgresLoader
from tests.core.loader_doubles import ANY_PRECISION_TEXT, ANY_PRECISION_TYPED, FIXED_POINT


@pytest.mark.parametrize(
    ("capabilities", "kind", "long_digits", "read_as"),
    [
        (ANY_PRECISION_TEXT, L.DECIMAL, False, pa.float64()),
        (ANY_PRECISION_TEXT, L.DECIMAL, True, ANY_PRECISION_READ_TYPE),
        (ANY_PRECISION_TYPED, L.DECIMAL, False, ANY_PRECISION_READ_TYPE),
        (FIXED_POINT, L.DECIMAL, False, pa.decimal128(38, 9)),
        (FIXED_POINT, L.DECIMAL, True, pa.decimal128(38, 9)),
        (FIXED_POINT, L.WIDE_DECIMAL, False, pa.decimal256(76, 38)),
    ],
)
def test_the_reader_type_follows_from_the_capabilities(
    capabilities: LoaderCapabilities, kind: L, long_digits: bool, read_as: pa.DataType
) -> None:
    assert DecimalColumns(capabilities).read_type(kind, long_digits) == read_as


def test_decimal_types_past_38_digits_take_256_bits() -> None:
    assert arrow_type(DecimalType(38, 9)) == pa.decimal128(38, 9)
    assert arrow_type(DecimalType(39, 0)) == pa.decimal256(39, 0)


def test_postgresql_gets_exact_decimals_for_binary_copy() -> None:
    """numeric holds any digits and binary COPY sends numeric values: money travels as decimals."""
    assert (
        DecimalColumns(PostgresLoader.capabilities).read_type(L.DECIMAL, long_digits=False) == ANY_PRECISION_READ_TYPE
    )


def test_bigquery_gets_numeric_and_bignumeric_as_they_are() -> None:
    decimals = DecimalColumns(BigQueryLoader.capabilities)
    assert decimals.read_type(L.DECIMAL, long_digits=False) == pa.decimal128(38, 9)
    assert decimals.read_type(L.WIDE_DECIMAL, long_digits=False) == pa.decimal256(76, 38)
