"""The one exception a Loader raises for a failure caused by the data."""

from __future__ import annotations


class LoadError(Exception):
    """A load failed because of the data; `row` (when known) indexes Batch.table,
    and the driver turns it into the input line number."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row
