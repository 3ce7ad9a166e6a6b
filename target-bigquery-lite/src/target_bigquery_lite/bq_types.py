"""BigQuery types for the core's logical types, and the way back.

Exactness first, as in target-postgres-lite: numbers are NUMERIC (widened to
BIGNUMERIC when a value needs more digits; FLOAT64 only with
number_as_float), integers INT64 (NUMERIC/BIGNUMERIC once a value passes
64 bits), objects and arrays JSON, date-times TIMESTAMP.
"""

from __future__ import annotations

from singer_lite_core.target_driver.logical_types import LogicalType

BQ_TYPES: dict[LogicalType, str] = {
    LogicalType.BOOLEAN: "BOOL",
    LogicalType.INTEGER: "INT64",
    LogicalType.DECIMAL: "NUMERIC",
    LogicalType.FLOAT: "FLOAT64",
    LogicalType.STRING: "STRING",
    LogicalType.TIMESTAMP: "TIMESTAMP",
    LogicalType.DATE: "DATE",
    LogicalType.TIME: "TIME",
    LogicalType.JSON: "JSON",
}
BIGNUMERIC = "BIGNUMERIC"

# The API reports legacy names for some types (INTEGER, FLOAT, BOOLEAN).
_STANDARD = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "BIGDECIMAL": "BIGNUMERIC",
    "DECIMAL": "NUMERIC",
}

_FROM_BQ: dict[str, LogicalType] = {
    **{bq: logical for logical, bq in BQ_TYPES.items()},
    BIGNUMERIC: LogicalType.DECIMAL,
    "DATETIME": LogicalType.TIMESTAMP,
}


def standard(bq_type: str) -> str:
    """The standard SQL name, without parameters: STRING(3) -> STRING, INTEGER -> INT64."""
    base = bq_type.split("(")[0].strip().upper()
    return _STANDARD.get(base, base)


def logical_of(bq_type: str) -> LogicalType | None:
    """The logical type of an existing column; None for types this target never
    creates (BYTES, GEOGRAPHY, RECORD, ...), which are left alone."""
    return _FROM_BQ.get(standard(bq_type))


def column_type(wanted: LogicalType, existing: str | None) -> str:
    """The column type that holds `wanted` values. DECIMAL starts as NUMERIC, but
    stays BIGNUMERIC once widened, and becomes BIGNUMERIC straight away when it
    replaces FLOAT64, whose values may carry more than NUMERIC's 9 decimals."""
    if wanted == LogicalType.DECIMAL and existing is not None and standard(existing) in (BIGNUMERIC, "FLOAT64"):
        return BIGNUMERIC
    return BQ_TYPES[wanted]


def conversion(column_sql: str, from_type: str, to_type: str) -> str:
    """SQL that converts a column's values to `to_type` without loss, for
    rewriting a table when a join of types changes a column."""
    source = standard(from_type)
    if to_type == "JSON":
        return f"TO_JSON({column_sql})"
    if to_type == "STRING" and source == "JSON":
        return f"COALESCE(JSON_VALUE({column_sql}), TO_JSON_STRING({column_sql}))"
    if to_type == "STRING" and source == "TIMESTAMP":
        return f"FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6SZ', {column_sql}, 'UTC')"
    return f"CAST({column_sql} AS {to_type})"
