"""The six streams and what each needs, read from the JSON Schemas in schemas/.

schemas/ is the single source of truth for names, types and keys; this module
only adds how each stream is replicated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

ColumnType = Literal["integer", "number", "string", "date-time"]
Replication = Literal["INCREMENTAL", "FULL_TABLE"]

TRIP_STREAMS = {"yellow": "yellow_trips", "green": "green_trips", "fhv": "fhv_trips"}
TRIP_REPLICATION_KEY = "source_row"


@dataclass(frozen=True)
class StreamSpec:
    name: str
    schema: dict[str, Any]
    key_properties: tuple[str, ...]
    replication: Replication
    taxi_type: str | None = None

    @property
    def replication_key(self) -> str | None:
        return TRIP_REPLICATION_KEY if self.replication == "INCREMENTAL" else None

    def column_types(self) -> dict[str, ColumnType]:
        return {name: column_type(prop) for name, prop in self.schema["properties"].items()}


def column_type(prop: dict[str, Any]) -> ColumnType:
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    (kind,) = [t for t in types if t != "null"]
    if kind == "string" and prop.get("format") == "date-time":
        return "date-time"
    if kind not in ("integer", "number", "string"):
        raise ValueError(f"schemas/ uses type {kind!r}, which the tap cannot produce")
    return kind


@cache
def stream_specs() -> dict[str, StreamSpec]:
    specs = [
        *(_spec(stream, "INCREMENTAL", taxi_type) for taxi_type, stream in TRIP_STREAMS.items()),
        _spec("taxi_zones", "FULL_TABLE"),
        _spec("courses", "FULL_TABLE"),
        _spec("ratings", "FULL_TABLE"),
    ]
    return {spec.name: spec for spec in specs}


def _spec(name: str, replication: Replication, taxi_type: str | None = None) -> StreamSpec:
    document = json.loads(files("tap_nyc_taxi").joinpath("schemas", f"{name}.json").read_text())
    keys = tuple(document.pop("x-key-properties"))
    for annotation in ("$schema", "title"):
        document.pop(annotation, None)
    return StreamSpec(name, document, keys, replication, taxi_type)
