"""Per-value conversion for the slow decoding path, with exact semantics.

Only records the Arrow reader refused come here, so clarity beats speed:
each converter either returns the value as Python holds it exactly (an
int of any size, a decimal as its exact text, text without NUL) for
arrow_decode to build the column from, or raises BadValue saying what was
wrong, for an error line naming the column and input line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import orjson

from singer_lite_core.target_driver.logical_types import LogicalType

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


class BadValue(Exception):
    """A value that the column's type cannot hold."""


Converter = Callable[[Any], Any]


def converter(kind: LogicalType, typed_by_values: bool = False) -> Converter:
    """The converter for a column of `kind`; a column typed from values
    (record_fields) takes only values of its JSON type, so a STRING one
    refuses the other scalars that a declared one keeps as text."""
    if typed_by_values and kind == LogicalType.STRING:
        return _text
    return _CONVERTERS[kind]


def record_validator(schema: Mapping[str, Any]) -> Validator:
    """A validator for the schema's own draft; formats are not asserted, since
    taps disagree on them and the database checks the types that matter."""
    from jsonschema.validators import validator_for  # noqa: PLC0415 - costly import, needed only when validating

    return validator_for(schema)(schema)


def dumps_json(value: Any) -> str:
    """JSON text for a JSON column: valid JSON always (NaN and Infinity become
    null, as no JSON reader accepts them), exact for big integers and decimals."""
    try:
        return orjson.dumps(_strip_nul(value), default=_fragment).decode()
    except TypeError:
        return json.dumps(_json_safe(_strip_nul(value)), separators=(",", ":"), ensure_ascii=False)


def _fragment(value: Any) -> orjson.Fragment:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value) if value.is_finite() else "null")
    raise TypeError(type(value).__name__)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    return value


def _boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise BadValue(f"expected true or false, got {_shown(value)}")


def _integer(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise BadValue(f"expected an integer, got {_shown(value)}")
    if isinstance(value, int):
        return value
    if not math.isfinite(value) or value != int(value):
        raise BadValue(f"expected an integer, got {_shown(value)}")
    return int(value)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise BadValue(f"expected a number, got {_shown(value)}")
    return float(value)


def _decimal(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"expected a number, got {_shown(value)}")
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        try:
            return str(Decimal(value.strip()))
        except InvalidOperation:
            pass
    raise BadValue(f"expected a number, got {_shown(value)}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace("\x00", "")
    raise BadValue(f"expected a string, got {_shown(value)}")


def _string(value: Any) -> str | None:
    """STRING columns also hold the scalars of anyOf/multi-type properties."""
    if value is None or isinstance(value, str):
        return _text(value)
    return dumps_json(value)


def _json(value: Any) -> str | None:
    return None if value is None else dumps_json(value)


def _shown(value: Any) -> str:
    return dumps_json(value)[:60]


_CONVERTERS: dict[LogicalType, Converter] = {
    LogicalType.BOOLEAN: _boolean,
    LogicalType.INTEGER: _integer,
    LogicalType.FLOAT: _float,
    LogicalType.DECIMAL: _decimal,
    LogicalType.WIDE_DECIMAL: _decimal,
    LogicalType.STRING: _string,
    LogicalType.TIMESTAMP: _text,
    LogicalType.DATE: _text,
    LogicalType.TIME: _text,
    LogicalType.JSON: _json,
}
