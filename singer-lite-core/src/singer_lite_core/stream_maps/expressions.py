"""Map expressions: parsed once, then evaluated per record exactly as singer-sdk evaluates them.

Users write these expressions against singer-sdk's documentation, so an
expression must see the same names (the record's properties, `record` and
`_` for the whole record, `self` for the property's own value, `config` for
stream_map_config, `__stream_name__`, `__original_stream_name__`) and the
same functions (simpleeval's, plus `md5`, `sha256`, `bool`, and the
`datetime` and `json` modules).
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import simpleeval

from singer_lite_core.errors import ConfigError


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


FUNCTIONS: dict[str, Any] = {
    **simpleeval.DEFAULT_FUNCTIONS,
    "md5": md5,
    "sha256": sha256,
    "bool": bool,
    "datetime": simpleeval.ModuleWrapper(datetime),
    "json": simpleeval.ModuleWrapper(json),
}
WHOLE_RECORD_NAMES = frozenset({"record", "_"})
CONTEXT_NAMES = frozenset({*WHOLE_RECORD_NAMES, "config", "__stream_name__", "__original_stream_name__", "self"})


@dataclass(frozen=True)
class MapContext:
    """What an expression may read besides the record."""

    config: Mapping[str, Any]
    stream_alias: str
    stream_name: str


class _Evaluator(simpleeval.EvalWithCompoundTypes):  # type: ignore[misc] # simpleeval ships no types
    """simpleeval's evaluator without its scan of every looked-up name for
    modules: the names are a JSON record's values, which cannot hold one,
    and scanning a wide record on every lookup costs more than the lookup."""

    def _check_disallowed_items(self, item: Any) -> None:
        return


class Expression:
    """One map expression (a property's or a filter's), where it was configured."""

    def __init__(self, text: str, label: str) -> None:
        self.text = text
        self.label = label
        try:
            statement = ast.parse(text).body[0]
        except (SyntaxError, IndexError, ValueError):
            raise ConfigError(f"{label}: expression {text!r} does not parse") from None
        if not isinstance(statement, ast.Expr):
            raise ConfigError(f"{label}: {text!r} is a statement, not an expression")
        self.statement = statement
        self.node = statement.value
        self.names = _free_names(self.node)
        self._evaluator = _Evaluator(functions=FUNCTIONS)

    def check_names(self, properties: Iterable[str]) -> None:
        """Refuse, before any record, a name that is no property, context name or function."""
        known = set(properties) | CONTEXT_NAMES | set(FUNCTIONS)
        unknown = sorted(self.names - known)
        if unknown:
            raise ConfigError(
                f"{self.label}: expression {self.text!r} names {', '.join(map(repr, unknown))}, "
                "which is not a property of the stream"
            )

    def evaluate(self, record: Mapping[str, Any], context: MapContext, property_name: str | None) -> Any:
        self._evaluator.names = row_names(record, context, property_name)
        return self._evaluator.eval(self.text, previously_parsed=self.statement)


def _free_names(expression: ast.expr) -> frozenset[str]:
    """The names an expression reads that it does not bind itself (in a comprehension)."""
    bound = {
        target.id
        for node in ast.walk(expression)
        if isinstance(node, ast.comprehension)
        for target in ast.walk(node.target)
        if isinstance(target, ast.Name)
    }
    return frozenset(node.id for node in ast.walk(expression) if isinstance(node, ast.Name)) - bound


def row_names(record: Mapping[str, Any], context: MapContext, property_name: str | None) -> dict[str, Any]:
    """The names an expression sees for one record; the context's names win
    over record properties of the same name, as in singer-sdk."""
    names = dict(record)
    names["_"] = record
    names["record"] = record
    names["config"] = context.config
    names["__stream_name__"] = context.stream_alias
    names["__original_stream_name__"] = context.stream_name
    if property_name is not None and property_name in record:
        names["self"] = record[property_name]
    return names
