"""BigQuery column types for the core's logical types, and the way back.

Exactness first, as in target-postgres-lite: numbers are NUMERIC (widened to
BIGNUMERIC when a value needs more digits; FLOAT64 only with
number_as_float), integers INT64 (NUMERIC/BIGNUMERIC once a value passes
64 bits), objects and arrays JSON, date-times TIMESTAMP.
"""

from __future__ import annotations

from singer_lite_core.target_driver.logical_types import LogicalType

BIGNUMERIC = "BIGNUMERIC"
NATIVE_TYPES: dict[LogicalType, str] = {
    LogicalType.BOOLEAN: "BOOL",
    LogicalType.INTEGER: "INT64",
    LogicalType.DECIMAL: "NUMERIC",
    LogicalType.WIDE_DECIMAL: BIGNUMERIC,
    LogicalType.FLOAT: "FLOAT64",
    LogicalType.STRING: "STRING",
    LogicalType.TIMESTAMP: "TIMESTAMP",
    LogicalType.DATE: "DATE",
    LogicalType.TIME: "TIME",
    LogicalType.JSON: "JSON",
}

# The API reports legacy names for some types (INTEGER, FLOAT, BOOLEAN).
_STANDARD = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "BIGDECIMAL": "BIGNUMERIC",
    "DECIMAL": "NUMERIC",
}

_LOGICAL: dict[str, LogicalType] = {
    **{native: logical for logical, native in NATIVE_TYPES.items()},
    "DATETIME": LogicalType.TIMESTAMP,
}


def standard(native: str) -> str:
    """The standard SQL name, without parameters: STRING(3) -> STRING, INTEGER -> INT64."""
    base = native.split("(")[0].strip().upper()
    return _STANDARD.get(base, base)


def logical_of(native: str) -> LogicalType | None:
    """The logical type of an existing column; None for types this target never
    creates (BYTES, GEOGRAPHY, RECORD, ...), which are left alone."""
    return _LOGICAL.get(standard(native))


def changed_type(native: str, wanted: LogicalType) -> str | None:
    """The type an existing column must change to so that it holds `wanted`
    values, None if it does already (or is of a type this target leaves alone).
    DECIMAL becomes BIGNUMERIC straight away when it replaces FLOAT64, whose
    values may carry more than NUMERIC's 9 decimals; a BIGNUMERIC column is
    WIDE_DECIMAL, which the join keeps."""
    if logical_of(native) is None:
        return None
    current = standard(native)
    to_type = BIGNUMERIC if wanted == LogicalType.DECIMAL and current == "FLOAT64" else NATIVE_TYPES[wanted]
    return None if current == to_type else to_type


def conversion(column_sql: str, from_type: str, to_type: str) -> str:
    """SQL that converts a column's values to `to_type` without loss, for
    rewriting a table when a column's type changes."""
    if to_type == "JSON":
        return f"TO_JSON({column_sql})"
    if to_type == "STRING" and standard(from_type) == "TIMESTAMP":
        return f"FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6SZ', {column_sql}, 'UTC')"
    return f"CAST({column_sql} AS {to_type})"
