"""Discovery output and the selection a catalog makes.

Meltano always passes a catalog, with every stream selected unless the user
narrowed it; so selection only says what the user wants, and whether a
stream has a source configured is decided separately (see Stream.is_configured).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from singer_lite_core.errors import ConfigError, where
from tap_nyc_taxi.stream import Replication, Stream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """One stream the catalog selects, with its selected properties in schema order."""

    stream: Stream
    properties: tuple[str, ...]
    replication: Replication

    def schema(self) -> dict[str, Any]:
        schema = dict(self.stream.schema)
        schema["properties"] = {name: self.stream.schema["properties"][name] for name in self.properties}
        schema["required"] = [name for name in self.stream.schema.get("required", []) if name in self.properties]
        return schema


def discover(streams: dict[str, Stream], selected_by_default: set[str]) -> dict[str, Any]:
    return {"streams": [_catalog_entry(stream, stream.name in selected_by_default) for stream in streams.values()]}


def default_selection(streams: dict[str, Stream]) -> list[Selection]:
    return [Selection(stream, tuple(stream.schema["properties"]), stream.replication) for stream in streams.values()]


def read_catalog(path: str, streams: dict[str, Stream]) -> list[Selection]:
    try:
        catalog = orjson.loads(Path(path).read_bytes())
        entries = catalog["streams"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise ConfigError(f"catalog {path} is not a readable Singer catalog: {error}") from None
    selections = []
    for entry in entries:
        name = entry.get("tap_stream_id") or entry.get("stream")
        stream = streams.get(name)
        if stream is None:
            log.warning("catalog names unknown stream %r; ignoring it", name)
            continue
        metadata = {tuple(m.get("breadcrumb", [])): m.get("metadata", {}) for m in entry.get("metadata", [])}
        root = metadata.get((), {})
        if not root.get("selected", entry.get("schema", {}).get("selected", False)):
            continue
        selections.append(Selection(stream, _selected_properties(stream, metadata), _replication(stream, entry, root)))
    return selections


def _selected_properties(stream: Stream, metadata: dict[tuple[str, ...], dict[str, Any]]) -> tuple[str, ...]:
    forced = _automatic(stream)
    chosen = []
    for name in stream.schema["properties"]:
        prop = metadata.get(("properties", name), {})
        if name in forced or prop.get("selected", prop.get("selected-by-default", True)):
            chosen.append(name)
    return tuple(chosen)


def _replication(stream: Stream, entry: dict[str, Any], root: dict[str, Any]) -> Replication:
    method = root.get("replication-method") or entry.get("replication_method") or stream.replication
    if method not in ("INCREMENTAL", "FULL_TABLE"):
        raise ConfigError(f"{where(stream.name)}: replication method {method!r} is not supported")
    if method == "INCREMENTAL" and stream.replication == "FULL_TABLE":
        log.warning("stream %s supports FULL_TABLE only; ignoring INCREMENTAL in the catalog", stream.name)
        return "FULL_TABLE"
    return method


def _automatic(stream: Stream) -> set[str]:
    return set(stream.key_properties) | ({stream.replication_key} if stream.replication_key else set())


def _catalog_entry(stream: Stream, selected: bool) -> dict[str, Any]:
    root: dict[str, Any] = {
        "selected": selected,
        "selected-by-default": selected,
        "inclusion": "available",
        "table-key-properties": list(stream.key_properties),
        "forced-replication-method": stream.replication if stream.replication == "FULL_TABLE" else None,
        "replication-method": stream.replication,
        "valid-replication-keys": [stream.replication_key] if stream.replication_key else [],
    }
    if stream.replication_key:
        root["replication-key"] = stream.replication_key
    root = {key: value for key, value in root.items() if value is not None}
    automatic = _automatic(stream)
    metadata = [{"breadcrumb": [], "metadata": root}]
    for name in stream.schema["properties"]:
        inclusion = "automatic" if name in automatic else "available"
        metadata.append(
            {"breadcrumb": ["properties", name], "metadata": {"inclusion": inclusion, "selected-by-default": True}}
        )
    entry: dict[str, Any] = {
        "tap_stream_id": stream.name,
        "stream": stream.name,
        "schema": stream.schema,
        "key_properties": list(stream.key_properties),
        "metadata": metadata,
    }
    if stream.replication_key:
        entry["replication_key"] = stream.replication_key
    entry["replication_method"] = stream.replication
    return entry
