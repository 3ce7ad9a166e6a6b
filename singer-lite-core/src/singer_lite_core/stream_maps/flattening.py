"""Schema flattening as singer-sdk does it: nested objects become `parent__child` properties.

Users turn flattening on to get one column per leaf of a nested object; the
column names and what stays JSON (arrays, and objects deeper than
flattening_max_depth) must be the SDK's, or switching a target changes the
table. Names longer than the key limit are shortened as the SDK shortens
them (a part at a time, to the capitals of its camel-cased form).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from singer_lite_core.errors import ConfigError
from singer_lite_core.target_driver.record_values import dumps_json

SEPARATOR = "__"
MAX_KEY_LENGTH = 255
_LOWERCASE = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Flattening:
    max_depth: int
    separator: str = SEPARATOR
    max_key_length: int = MAX_KEY_LENGTH

    @classmethod
    def from_settings(cls, enabled: bool, max_depth: int | None) -> Flattening | None:
        """The flattening asked for, or None; the SDK requires a depth once it is enabled."""
        if not enabled:
            return None
        if max_depth is None:
            raise ConfigError("setting 'flattening_max_depth' is required when 'flattening_enabled' is true")
        if max_depth < 0:
            raise ConfigError("setting 'flattening_max_depth' must be at least 0")
        return cls(max_depth) if max_depth > 0 else None

    def key(self, name: str, parents: list[str]) -> str:
        parts = [*parents, name]
        index = 0
        while len(self.separator.join(parts)) >= self.max_key_length and index < len(parts):
            capitals = _LOWERCASE.sub("", _camelized(parts[index]))
            parts[index] = (capitals if len(capitals) > 1 else parts[index][:3]).lower()
            index += 1
        return self.separator.join(parts)

    def schema(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The flattened stream schema; two leaves that flatten to one name are refused."""
        flattened = dict(schema)
        flattened["properties"] = self._properties(schema, [], 0)
        duplicates = sorted(name for name, count in Counter(self._names(schema, [], 0)).items() if count > 1)
        if duplicates:
            raise ConfigError(f"flattening makes the property {duplicates[0]!r} twice")
        return flattened

    def _properties(self, node: Mapping[str, Any], parents: list[str], level: int) -> dict[str, Any]:
        items: dict[str, Any] = {}
        for name, field in (node.get("properties") or {}).items():
            key = self.key(name, parents)
            if "type" in field:
                types = field["type"] if isinstance(field["type"], list) else [field["type"]]
                if "object" in types and "properties" in field and level < self.max_depth:
                    items.update(self._properties(field, [*parents, name], level + 1))
                elif "array" in types or "object" in types:
                    items[key] = {"type": ["string", "null"] if "null" in types else "string"}
                else:
                    items[key] = field
            elif _composite_first(field) is not None:
                first = dict(_composite_first(field) or {})
                if first.get("type") in ("string", "array", "object"):
                    first["type"] = ["null", first["type"]]
                    items[key] = first
            else:
                items[key] = {"type": ["null", "string"]}
        return items

    def _names(self, node: Mapping[str, Any], parents: list[str], level: int) -> list[str]:
        names = []
        for name, field in (node.get("properties") or {}).items():
            types = field.get("type", []) if isinstance(field, dict) else []
            types = types if isinstance(types, list) else [types]
            if "object" in types and "properties" in field and level < self.max_depth:
                names.extend(self._names(field, [*parents, name], level + 1))
            else:
                names.append(self.key(name, parents))
        return names

    def record(self, record: Mapping[str, Any], flattened_schema: Mapping[str, Any]) -> dict[str, Any]:
        """The record with nested objects spread into `parent__child` keys, as
        far as the flattened schema does; arrays and deeper objects as JSON text."""
        return self._record(record, flattened_schema.get("properties") or {}, [], 0)

    def _record(
        self, node: Mapping[str, Any], properties: Mapping[str, Any], parents: list[str], level: int
    ) -> dict[str, Any]:
        items: dict[str, Any] = {}
        for name, value in node.items():
            key = self.key(name, parents)
            if isinstance(value, dict) and key not in properties and level < self.max_depth:
                items.update(self._record(value, properties, [*parents, name], level + 1))
            elif isinstance(value, (dict, list)):
                items[key] = dumps_json(value)
            else:
                items[key] = value
        return items


def _composite_first(field: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first choice of an anyOf/oneOf-like property, which the SDK types it by."""
    first = next(iter(field.values()), None)
    if isinstance(first, list) and first and isinstance(first[0], dict):
        return first[0]
    return None


def _camelized(part: str) -> str:
    """`inflection.camelize`: capitalise the first letter and every one after an underscore."""
    return re.sub(r"(?:^|_)(.)", lambda match: match.group(1).upper(), part)
