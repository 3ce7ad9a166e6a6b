"""What every loader remembers of a stream between prepare and load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass
class StreamTable:
    """Where one stream's rows go, under the database's names.

    `path` is the table's full name as the loader's statements use it,
    `columns` maps each property to its column, and `key_properties` are the
    stream's key in key order. A table the run would create does not exist
    until the run's first write to it (`exists`), so that a refused run
    leaves none behind. For an overwrite, `aside` is the full name of the
    table the run's rows go to until the swap, which the run's first write
    makes afresh (`aside_made`). A loader that needs more per stream (a
    table object, a staging table) subclasses this.
    """

    path: str
    columns: Mapping[str, str]
    key_properties: tuple[str, ...]
    exists: bool = True
    aside: str | None = None
    aside_made: bool = False

    @property
    def written(self) -> str:
        """The table the run's rows go to: the table aside for an overwrite, else the stream's."""
        return self.path if self.aside is None else self.aside

    @property
    def keys(self) -> tuple[str, ...]:
        """The key's columns, in key order; empty for a stream without a key."""
        return self.columns_of(self.key_properties)

    def column(self, prop: str) -> str:
        return self.columns[prop]

    def columns_of(self, props: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.columns[prop] for prop in props)
