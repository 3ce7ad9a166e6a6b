"""The JSON Schema a mapped property gets, as singer-sdk guesses it from the expression's text.

singer-sdk does not evaluate an expression to type it: it reads the text
(`int(...)` is an integer, `'...'` a string, `datetime.date(...)` a date),
falls back to the schema of the property being overwritten (or of the
property the expression merely names), and else declares a string. Every
property it declares is nullable. Targets create columns from this, so it
must be the SDK's guess, not a better one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

_NULLABLE_STRING = {"type": ["string", "null"]}
# In singer-sdk's order: `datetime.datetime.now().date()` is a date.
_GUESSES: tuple[tuple[Callable[[str], bool], dict[str, Any]], ...] = (
    (lambda text: text.startswith("float("), {"type": ["number", "null"]}),
    (lambda text: text.startswith("int("), {"type": ["integer", "null"]}),
    (lambda text: text.startswith("str("), _NULLABLE_STRING),
    (lambda text: text.startswith("bool("), {"type": ["boolean", "null"]}),
    (lambda text: text.startswith("json.dumps("), _NULLABLE_STRING),
    (
        lambda text: text.startswith(("datetime.date.", "datetime.date(")) or text.endswith(".date()"),
        {"type": ["string", "null"], "format": "date"},
    ),
    (
        lambda text: text.startswith(("datetime.datetime.", "datetime.datetime(")),
        {"type": ["string", "null"], "format": "date-time"},
    ),
    (lambda text: text[0] == "'" and text[-1] == "'", _NULLABLE_STRING),
)


def computed_property_schema(
    expression: str, existing: Mapping[str, Any] | None, raw_schema: Mapping[str, Any]
) -> dict[str, Any]:
    """The schema of a property computed by `expression`; `existing` is the
    schema of the property it replaces, or of the property it names."""
    if expression == "record":
        return nullable(raw_schema)
    for guess, schema in _GUESSES:
        if guess(expression):
            return copy.deepcopy(schema)
    return nullable(existing) if existing else copy.deepcopy(_NULLABLE_STRING)


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with null allowed, as singer-sdk's Property adds it."""
    result = copy.deepcopy(dict(schema))
    if "anyOf" in result:
        if {"type": "null"} not in result["anyOf"]:
            result["anyOf"].append({"type": "null"})
    elif "oneOf" in result:
        result["oneOf"].append({"type": "null"})
    elif "type" in result:
        types = result["type"] if isinstance(result["type"], list) else [result["type"]]
        if "null" not in types:
            result["type"] = [*types, "null"]
    return result
