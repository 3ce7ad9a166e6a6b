"""Parsing one JSON document the way taps actually write them, exactly.

orjson is fast but reads integers beyond 64 bits and numbers with more
digits than a double holds as lossy floats, and refuses the NaN/Infinity
literals that Python's json module emits; all three occur in real Singer
output. Lines with a long digit run, and lines orjson refuses, are read by
the standard library instead, keeping such numbers as int or Decimal.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

# Digits a double always keeps exactly; a run one longer may hold more.
_DOUBLE_DIGITS = 15
_LONG_RUN = b"0" * (_DOUBLE_DIGITS + 1)
_DIGITS_AND_POINT_AS_ZERO = bytes.maketrans(b"0123456789.", b"0" * 11)


class JsonError(ValueError):
    """The text is not JSON even by the lenient standard-library rules."""


def has_long_digit_run(text: bytes) -> bool:
    """Whether 16 or more digits and points occur in a row anywhere in `text`.

    If not, every JSON number in it has at most 15 significant digits, so an
    integer fits 64 bits and any other number within a double's exponent
    range (1e-307 to 1e308) is exactly the decimal that the shortest
    round-trip text of its nearest double spells. The converse does not hold
    (0.0000000000000001 has one significant digit), which only sends such
    text the slower exact way. Found by translating rather than with a
    regular expression, which is ten times slower on a 4 MB chunk.
    """
    return _LONG_RUN in text.translate(_DIGITS_AND_POINT_AS_ZERO)


def loads(text: bytes) -> Any:
    first_error: Exception | None = None
    if not has_long_digit_run(text):
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
