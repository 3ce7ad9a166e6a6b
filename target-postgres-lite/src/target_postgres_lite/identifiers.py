"""PostgreSQL names for streams and properties: exact, quoted, at most 63 bytes.

Names are never lowercased or cleaned, so `clientName` stays findable as
"clientName" and `agent:os:version` loads as is. PostgreSQL silently cuts
names at 63 bytes, which would merge two long properties into one column;
longer names are therefore shortened here with a hash suffix of the full
name, stable across runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from singer_lite_core.errors import LoadError

MAX_BYTES = 63
_SUFFIX_BYTES = 9


def pg_name(name: str) -> str:
    encoded = name.encode()
    if len(encoded) <= MAX_BYTES and "\x00" not in name:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[: _SUFFIX_BYTES - 1]
    head = encoded[: MAX_BYTES - _SUFFIX_BYTES].decode("utf-8", errors="ignore").replace("\x00", "")
    return f"{head}_{digest}"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_names(properties: Iterable[str]) -> dict[str, str]:
    """Property name -> column name, refusing the (unlikely) case of two
    properties ending up with the same column."""
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for prop in properties:
        column = pg_name(prop)
        if column in seen:
            raise LoadError(f"properties {seen[column]!r} and {prop!r} both map to column {column!r}")
        seen[column] = prop
        mapping[prop] = column
    return mapping
