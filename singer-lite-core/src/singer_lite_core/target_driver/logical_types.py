"""A neutral column-type model that JSON Schema maps to and every database maps from.

Each target needs the same decisions (is this money exact, is this integer
too wide for 64 bits, what holds both a date and a string); making them once,
here, keeps PostgreSQL and BigQuery loading the same stream the same way.
Each target then only names its own SQL type for each logical type.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class LogicalType(enum.Enum):
    """DECIMAL is an exact number in the database's decimal type. WIDE_DECIMAL
    is one in its wider decimal type (LoaderCapabilities.wide_decimal), which a
    DECIMAL column is widened to once a value needs more digits than the
    decimal type holds: no JSON Schema maps to it, only values do, and a
    database whose decimal type holds any number of digits never needs it."""

    BOOLEAN = "boolean"
    INTEGER = "integer"
    DECIMAL = "decimal"
    WIDE_DECIMAL = "wide_decimal"
    FLOAT = "float"
    STRING = "string"
    TIMESTAMP = "timestamp"
    DATE = "date"
    TIME = "time"
    JSON = "json"


_NUMERIC = {LogicalType.INTEGER, LogicalType.DECIMAL, LogicalType.WIDE_DECIMAL, LogicalType.FLOAT}
_TEXTUAL = {LogicalType.STRING, LogicalType.TIMESTAMP, LogicalType.DATE, LogicalType.TIME}
_STRING_FORMATS = {
    "date-time": LogicalType.TIMESTAMP,
    "date": LogicalType.DATE,
    "time": LogicalType.TIME,
    "singer.decimal": LogicalType.DECIMAL,
}


def join(a: LogicalType, b: LogicalType) -> LogicalType:
    """The narrowest type that holds every value of both, without loss.

    Numbers meet in DECIMAL (exact for any finite double and any integer), or
    in WIDE_DECIMAL if either is, text-like types meet in STRING, and anything
    else meets in JSON, which keeps each value together with its JSON type.
    """
    if a == b:
        return a
    if a in _NUMERIC and b in _NUMERIC:
        return LogicalType.WIDE_DECIMAL if LogicalType.WIDE_DECIMAL in {a, b} else LogicalType.DECIMAL
    if a in _TEXTUAL and b in _TEXTUAL:
        return LogicalType.STRING
    if LogicalType.JSON in {a, b}:
        return LogicalType.JSON
    if LogicalType.STRING in {a, b}:
        return LogicalType.STRING
    return LogicalType.JSON


class WiderTypeNeeded(Exception):
    """Values need wider columns than the stream has: an integer past 64 bits,
    a decimal past the database's decimal type, a value of another JSON type
    in a column typed from earlier values, or a record field the stream has
    no column for yet (widened from nothing). `needs` maps each such column
    to the type its values need; the runner widens each column to
    join(current, needed), or adds it with the needed type, and decodes again."""

    def __init__(self, needs: Mapping[str, LogicalType]) -> None:
        super().__init__(", ".join(f"column {column!r} needs {wider.value}" for column, wider in needs.items()))
        self.needs = dict(needs)


def join_all(types: Iterable[LogicalType]) -> LogicalType:
    result: LogicalType | None = None
    for item in types:
        result = item if result is None else join(result, item)
    return LogicalType.JSON if result is None else result


def value_type(value: object, number_as_float: bool = False) -> LogicalType | None:
    """The logical type of one JSON value as json_values parses it (None for
    null): numbers that are not integers are DECIMAL, as a JSON Schema
    number is, or FLOAT under number_as_float."""
    if value is None:
        return None
    if isinstance(value, bool):
        return LogicalType.BOOLEAN
    if isinstance(value, int):
        return LogicalType.INTEGER if INT64_MIN <= value <= INT64_MAX else LogicalType.DECIMAL
    if isinstance(value, (float, Decimal)):
        return LogicalType.FLOAT if number_as_float else LogicalType.DECIMAL
    if isinstance(value, str):
        return LogicalType.STRING
    return LogicalType.JSON


def values_type(types: Iterable[LogicalType]) -> LogicalType:
    """The type of a column made for values of these types, where no schema
    says what they are: numbers meet as join says, one type is itself, and
    any other mix is JSON, which keeps each value with its JSON type (join
    would make a string of a number and a string). No values at all (every
    one null) make STRING: a later string fits it, a later object or number
    makes it JSON, and a STRING column keeps the fast decoding path, which a
    JSON column leaves."""
    kinds = set(types)
    if not kinds:
        return LogicalType.STRING
    if kinds <= _NUMERIC:
        return join_all(kinds)
    if len(kinds) == 1:
        return kinds.pop()
    return LogicalType.JSON


def logical_type(schema: Mapping[str, Any], number_as_float: bool = False) -> LogicalType:
    """Map one property's JSON Schema to the logical type that holds all its values."""
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return join_all(logical_type(branch, number_as_float) for branch in branches if _non_null(branch))
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else list(declared or [])
    names = [name for name in names if name != "null"]
    if not names:
        return LogicalType.STRING if "format" in schema else LogicalType.JSON
    return join_all(_single_type(name, schema, number_as_float) for name in names)


def _non_null(schema: Mapping[str, Any]) -> bool:
    return schema.get("type") not in ("null", ["null"])


def _single_type(name: str, schema: Mapping[str, Any], number_as_float: bool) -> LogicalType:
    if name == "integer":
        return LogicalType.INTEGER if _fits_int64(schema) else LogicalType.DECIMAL
    if name == "number":
        return LogicalType.FLOAT if number_as_float else LogicalType.DECIMAL
    if name == "boolean":
        return LogicalType.BOOLEAN
    if name == "string":
        return _STRING_FORMATS.get(str(schema.get("format", "")), LogicalType.STRING)
    return LogicalType.JSON


def _fits_int64(schema: Mapping[str, Any]) -> bool:
    bounds = [schema.get(key) for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")]
    return all(
        not isinstance(bound, (int, float)) or isinstance(bound, bool) or INT64_MIN <= bound <= INT64_MAX
        for bound in bounds
    )
