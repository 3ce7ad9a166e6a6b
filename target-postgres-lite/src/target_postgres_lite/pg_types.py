"""PostgreSQL type names for the core's logical types, and the way back.

Exactness first: numbers become numeric (double precision only when
number_as_float is set), integers bigint, so cents and 64-bit ids survive.
"""

from __future__ import annotations

from singer_lite_core.target_driver.logical_types import LogicalType

PG_TYPES: dict[LogicalType, str] = {
    LogicalType.BOOLEAN: "boolean",
    LogicalType.INTEGER: "bigint",
    LogicalType.DECIMAL: "numeric",
    LogicalType.FLOAT: "double precision",
    LogicalType.STRING: "text",
    LogicalType.TIMESTAMP: "timestamp with time zone",
    LogicalType.DATE: "date",
    LogicalType.TIME: "time without time zone",
    LogicalType.JSON: "jsonb",
}

_FROM_PG: dict[str, LogicalType] = {
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


def logical_of(pg_type: str) -> LogicalType | None:
    """The logical type of an existing column, None for types this target never
    creates (uuid, arrays, ...), which are left alone and fed text."""
    return _FROM_PG.get(pg_type.split("(")[0].strip())


def needs_alter(pg_type: str, wanted: LogicalType) -> bool:
    base = pg_type.split("(")[0].strip()
    current = _FROM_PG.get(base)
    return current is not None and (current != wanted or base in _NARROW or "(" in pg_type)


def conversion(column: str, pg_type: str, wanted: LogicalType) -> str:
    """The USING expression that converts a column's values without loss."""
    if wanted == LogicalType.JSON:
        return f"to_jsonb({column})"
    if logical_of(pg_type) == LogicalType.JSON and wanted == LogicalType.STRING:
        return f"({column} #>> '{{}}')"
    return f"{column}::{PG_TYPES[wanted]}"
