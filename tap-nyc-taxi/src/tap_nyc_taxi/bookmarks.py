"""The tap's STATE: which trip files are done, and how far into the current one it got.

Each trip file is a partition. A file's bookmark counts the rows already
emitted and carries the file's fingerprint; a restart skips exactly those
rows, and a file whose fingerprint changed is read again from its first row.
Bookmarks of streams not synced in a run are carried over untouched, so a
narrower run never wipes saved progress.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from singer_lite_core.errors import ConfigError, where
from tap_nyc_taxi.source_files import Fingerprint


@dataclass(frozen=True)
class FileProgress:
    fingerprint: Fingerprint
    rows_done: int
    complete: bool


class Bookmarks:
    def __init__(self, state: dict[str, Any]) -> None:
        self._state = copy.deepcopy(state)
        bookmarks = self._state.setdefault("bookmarks", {})
        if not isinstance(bookmarks, dict):
            raise ConfigError("state: 'bookmarks' must be an object")

    def progress(self, stream: str, file_name: str) -> FileProgress | None:
        entry = self._state["bookmarks"].get(stream, {}).get("files", {}).get(file_name)
        if not isinstance(entry, dict):
            return None
        rows = entry.get("rows_done")
        if not isinstance(rows, int) or rows < 0:
            raise ConfigError(f"state: {where(stream, source=file_name)}: the bookmark has no valid rows_done")
        return FileProgress(Fingerprint.from_state(entry), rows, bool(entry.get("complete")))

    def advance(self, stream: str, file_name: str, fingerprint: Fingerprint, rows_done: int, complete: bool) -> None:
        files = self._state["bookmarks"].setdefault(stream, {}).setdefault("files", {})
        files[file_name] = {**fingerprint.as_state(), "rows_done": rows_done, "complete": complete}

    def value(self) -> dict[str, Any]:
        return self._state


def read_state(path: str | None) -> dict[str, Any]:
    """The state value in a --state file; a whole STATE message is accepted too."""
    if path is None:
        return {}
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(f"state file {path}: {error.strerror}") from None
    if not raw.strip():
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ConfigError(f"state file {path} is not valid JSON: {error}") from None
    if isinstance(value, dict) and value.get("type") == "STATE" and "value" in value:
        value = value["value"]
    if not isinstance(value, dict):
        raise ConfigError(f"state file {path} must hold a JSON object")
    return value
