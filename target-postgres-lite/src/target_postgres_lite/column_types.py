"""PostgreSQL column types for the core's logical types, and the way back.

Exactness first: numbers become numeric (double precision only when
number_as_float is set), integers bigint, so cents and 64-bit ids survive.
"""

from __future__ import annotations

from singer_lite_core.target_driver.logical_types import LogicalType

NATIVE_TYPES: dict[LogicalType, str] = {
    LogicalType.BOOLEAN: "boolean",
    LogicalType.INTEGER: "bigint",
    LogicalType.DECIMAL: "numeric",
    # Never asked for: numeric holds any number of digits (capabilities.decimal is None).
    LogicalType.WIDE_DECIMAL: "numeric",
    LogicalType.FLOAT: "double precision",
    LogicalType.STRING: "text",
    LogicalType.TIMESTAMP: "timestamp with time zone",
    LogicalType.DATE: "date",
    LogicalType.TIME: "time without time zone",
    LogicalType.JSON: "jsonb",
}

_LOGICAL: dict[str, LogicalType] = {
    "smallint": LogicalType.INTEGER,
    "integer": LogicalType.INTEGER,
    "bigint": LogicalType.INTEGER,
    "numeric": LogicalType.DECIMAL,
    "real": LogicalType.FLOAT,
    "double precision": LogicalType.FLOAT,
    "text": LogicalType.STRING,
    "character varying": LogicalType.STRING,
    "character": LogicalType.STRING,
    "timestamp with time zone": LogicalType.TIMESTAMP,
    "timestamp without time zone": LogicalType.TIMESTAMP,
    "date": LogicalType.DATE,
    "time without time zone": LogicalType.TIME,
    "time with time zone": LogicalType.TIME,
    "boolean": LogicalType.BOOLEAN,
    "json": LogicalType.JSON,
    "jsonb": LogicalType.JSON,
}

# Types that hold fewer values than the standard type of their logical type,
# and so are widened to it when the stream's schema asks for that type.
_NARROW = {"smallint", "integer", "real", "character varying", "character"}


def logical_of(native: str) -> LogicalType | None:
    """The logical type of an existing column, None for types this target never
    creates (uuid, arrays, ...), which are left alone and fed text."""
    return _LOGICAL.get(_base(native))


def changed_type(native: str, wanted: LogicalType) -> str | None:
    """The type an existing column must change to so that it holds `wanted`
    values, None if it does already (or is of a type this target leaves alone).
    A narrower or parameterized type of the same logical type (integer,
    varchar(3), numeric(6,2)) changes to the standard one."""
    base = _base(native)
    current = _LOGICAL.get(base)
    if current is None or (current == wanted and base not in _NARROW and "(" not in native):
        return None
    return NATIVE_TYPES[wanted]


def conversion(column_sql: str, to_type: str) -> str:
    """The USING expression that converts a column's values without loss."""
    if to_type == NATIVE_TYPES[LogicalType.JSON]:
        return f"to_jsonb({column_sql})"
    return f"{column_sql}::{to_type}"


def _base(native: str) -> str:
    return native.split("(")[0].strip()
