"""Discovery output and the selection a catalog makes.

Meltano always passes a catalog, with every stream selected unless the user
narrowed it; so selection only says what the user wants, and whether a
stream has a source configured is decided separately (see sync).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from singer_lite_core.errors import ConfigError
from tap_nyc_taxi.streams import Replication, StreamSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """One stream the catalog selects, with its selected properties in schema order."""

    spec: StreamSpec
    properties: tuple[str, ...]
    replication: Replication

    def schema(self) -> dict[str, Any]:
        schema = dict(self.spec.schema)
        schema["properties"] = {name: self.spec.schema["properties"][name] for name in self.properties}
        schema["required"] = [name for name in self.spec.schema.get("required", []) if name in self.properties]
        return schema


def discover(specs: dict[str, StreamSpec], selected_by_default: set[str]) -> dict[str, Any]:
    return {"streams": [_catalog_entry(spec, spec.name in selected_by_default) for spec in specs.values()]}


def default_selection(specs: dict[str, StreamSpec]) -> list[Selection]:
    return [Selection(spec, tuple(spec.schema["properties"]), spec.replication) for spec in specs.values()]


def read_catalog(path: str, specs: dict[str, StreamSpec]) -> list[Selection]:
    try:
        catalog = orjson.loads(Path(path).read_bytes())
        entries = catalog["streams"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise ConfigError(f"catalog {path} is not a readable Singer catalog: {error}") from None
    selections = []
    for entry in entries:
        name = entry.get("tap_stream_id") or entry.get("stream")
        spec = specs.get(name)
        if spec is None:
            log.warning("catalog names unknown stream %r; ignoring it", name)
            continue
        metadata = {tuple(m.get("breadcrumb", [])): m.get("metadata", {}) for m in entry.get("metadata", [])}
        root = metadata.get((), {})
        if not root.get("selected", entry.get("schema", {}).get("selected", False)):
            continue
        selections.append(Selection(spec, _selected_properties(spec, metadata), _replication(spec, entry, root)))
    return selections


def _selected_properties(spec: StreamSpec, metadata: dict[tuple[str, ...], dict[str, Any]]) -> tuple[str, ...]:
    forced = _automatic(spec)
    chosen = []
    for name in spec.schema["properties"]:
        prop = metadata.get(("properties", name), {})
        if name in forced or prop.get("selected", prop.get("selected-by-default", True)):
            chosen.append(name)
    return tuple(chosen)


def _replication(spec: StreamSpec, entry: dict[str, Any], root: dict[str, Any]) -> Replication:
    method = root.get("replication-method") or entry.get("replication_method") or spec.replication
    if method not in ("INCREMENTAL", "FULL_TABLE"):
        raise ConfigError(f"stream {spec.name}: replication method {method!r} is not supported")
    if method == "INCREMENTAL" and spec.replication == "FULL_TABLE":
        log.warning("stream %s supports FULL_TABLE only; ignoring INCREMENTAL in the catalog", spec.name)
        return "FULL_TABLE"
    return method


def _automatic(spec: StreamSpec) -> set[str]:
    return set(spec.key_properties) | ({spec.replication_key} if spec.replication_key else set())


def _catalog_entry(spec: StreamSpec, selected: bool) -> dict[str, Any]:
    root: dict[str, Any] = {
        "selected": selected,
        "selected-by-default": selected,
        "inclusion": "available",
        "table-key-properties": list(spec.key_properties),
        "forced-replication-method": spec.replication if spec.replication == "FULL_TABLE" else None,
        "replication-method": spec.replication,
        "valid-replication-keys": [spec.replication_key] if spec.replication_key else [],
    }
    if spec.replication_key:
        root["replication-key"] = spec.replication_key
    root = {key: value for key, value in root.items() if value is not None}
    automatic = _automatic(spec)
    metadata = [{"breadcrumb": [], "metadata": root}]
    for name in spec.schema["properties"]:
        inclusion = "automatic" if name in automatic else "available"
        metadata.append(
            {"breadcrumb": ["properties", name], "metadata": {"inclusion": inclusion, "selected-by-default": True}}
        )
    entry: dict[str, Any] = {
        "tap_stream_id": spec.name,
        "stream": spec.name,
        "schema": spec.schema,
        "key_properties": list(spec.key_properties),
        "metadata": metadata,
    }
    if spec.replication_key:
        entry["replication_key"] = spec.replication_key
    entry["replication_method"] = spec.replication
    return entry
