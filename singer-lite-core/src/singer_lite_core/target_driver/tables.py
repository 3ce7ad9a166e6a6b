"""What every loader remembers of a stream between prepare and load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass
class StreamTable:
    """Where one stream's rows go, under the database's names.

    `path` is the table's full name as the loader's statements use it,
    `columns` maps each property to its column, and `key_properties` are the
    stream's key in key order. A loader that needs more per stream (a table
    object, a staging table) subclasses this.
    """

    path: str
    columns: Mapping[str, str]
    key_properties: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The key's columns, in key order; empty for a stream without a key."""
        return self.columns_of(self.key_properties)

    def column(self, prop: str) -> str:
        return self.columns[prop]

    def columns_of(self, props: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.columns[prop] for prop in props)
