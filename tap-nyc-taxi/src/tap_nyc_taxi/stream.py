"""What every stream of the tap is: its schema, its replication, and where its rows come from.

In the spirit of singer-sdk's Stream, but small: each kind of stream knows
whether the settings give it a source and how to open its reader(s), so Sync
loops over the selected streams without knowing their names. schemas/ is the
single source of truth for a stream's name, properties, types and keys; a
stream only adds how it is replicated and read.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, ClassVar, Literal

from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import OpenedFile
from tap_nyc_taxi.table_readers import TableReader, open_table

ColumnType = Literal["integer", "number", "string", "date-time"]
Replication = Literal["INCREMENTAL", "FULL_TABLE"]

_PLAIN_TYPES: dict[str, ColumnType] = {"integer": "integer", "number": "number", "string": "string"}


@dataclass(frozen=True)
class Partition:
    """A part of a stream that is read in one go: one trip file, or a whole table.

    The reader is opened only when Sync reads the partition, so a file its
    bookmark marks as loaded is never downloaded. `file` is the pinned version
    of the file read, for a bookmark that resumes inside it; None for a
    partition that is always read whole.
    """

    open_reader: Callable[[], TableReader]
    file: OpenedFile | None = None


class Stream(ABC):
    """A stream named after its schema file; a kind of stream sets its replication key (none: the
    stream is read whole every run) and says where its rows come from."""

    replication_key: ClassVar[str | None] = None
    lineage: ClassVar[bool] = False
    """Whether records carry the source_file and source_row they were read from."""
    split_by_month: ClassVar[bool] = False
    """Whether the `shard` setting splits the stream's files between runs; a stream that is
    not split is read whole, by shard 0 alone (shards.py)."""

    def __init__(self, name: str) -> None:
        document = json.loads(files("tap_nyc_taxi").joinpath("schemas", f"{name}.json").read_text())
        self.name = name
        self.key_properties: tuple[str, ...] = tuple(document.pop("x-key-properties"))
        for annotation in ("$schema", "title"):
            document.pop(annotation, None)
        self.schema: dict[str, Any] = document

    @property
    def replication(self) -> Replication:
        return "INCREMENTAL" if self.replication_key else "FULL_TABLE"

    def column_types(self) -> dict[str, ColumnType]:
        return {name: column_type(prop) for name, prop in self.schema["properties"].items()}

    @abstractmethod
    def is_configured(self, config: TapConfig) -> bool:
        """Whether the settings give this stream a source; unconfigured streams are skipped, not failed."""

    @abstractmethod
    def partitions(self, config: TapConfig, remote: RemoteFiles) -> Iterator[Partition]:
        """The partitions of a configured stream, in reading order, each found as Sync reaches it."""


def file_reader(opened: OpenedFile, remote: RemoteFiles, batch_rows: int) -> Callable[[], TableReader]:
    """A reader of the pinned file, downloading it (when remote) only once it is read."""
    return lambda: open_table(opened.local_path(remote), opened.source.name, batch_rows)


def column_type(prop: dict[str, Any]) -> ColumnType:
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    (kind,) = [t for t in types if t != "null"]
    if kind == "string" and prop.get("format") == "date-time":
        return "date-time"
    if kind not in _PLAIN_TYPES:
        raise ValueError(f"schemas/ uses type {kind!r}, which the tap cannot produce")
    return _PLAIN_TYPES[kind]
