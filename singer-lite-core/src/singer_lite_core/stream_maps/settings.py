"""The stream map settings, declared once for the tap and every target (singer-sdk's names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from singer_lite_core.settings import Setting
from singer_lite_core.stream_maps.flattening import Flattening

STREAM_MAP_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "stream_maps",
        "object",
        "singer-sdk inline stream maps: per stream (or glob), `null` to drop it, or an object of properties "
        "(`null` drops one, a string is an expression computing it) and the options __alias__, __source__, "
        "__filter__, __key_properties__ and __else__; a top-level __else__: null drops every stream not named.",
    ),
    Setting("stream_map_config", "object", "Values stream map expressions read as config['name']."),
)


@dataclass(frozen=True)
class StreamMapSettings:
    """What stream_maps, stream_map_config and (in a target) flattening ask for."""

    stream_maps: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    flattening: Flattening | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], flattening: Flattening | None = None) -> StreamMapSettings:
        return cls(config.get("stream_maps") or {}, config.get("stream_map_config") or {}, flattening)

    @property
    def active(self) -> bool:
        """False when nothing is asked, so that the data paths stay as they are."""
        return bool(self.stream_maps) or self.flattening is not None
