"""Parsing one JSON document the way taps actually write them, exactly.

orjson is fast but reads integers beyond 64 bits and numbers with more
digits than a double holds as lossy floats, and refuses the NaN/Infinity
literals that Python's json module emits; all three occur in real Singer
output. Lines with a long digit run, and lines orjson refuses, are read by
the standard library instead, keeping such numbers as int or Decimal.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson

_LONG_NUMBER = re.compile(rb"[0-9][0-9.]{15}")


class JsonError(ValueError):
    """The text is not JSON even by the lenient standard-library rules."""


def loads(text: bytes) -> Any:
    first_error: Exception | None = None
    if _LONG_NUMBER.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as error:
            first_error = error
    try:
        return json.loads(text, parse_float=_float_or_decimal)
    except ValueError as error:
        raise JsonError(str(first_error or error)) from None


def _float_or_decimal(text: str) -> float | Decimal:
    """A float when it prints back as the same digits, else the exact Decimal."""
    value = float(text)
    return value if repr(value) == text else Decimal(text)
