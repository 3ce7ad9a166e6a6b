"""BigQuery names for streams and properties: a documented, collision-free mapping.

Names that BigQuery takes as they are (ASCII letters, digits and
underscores, not starting with a digit, within the length limit, not a
reserved prefix) are kept exactly, so `clientName` stays `clientName`, as in
target-postgres-lite. Any other name has each disallowed character replaced
by `_`, a leading `_` added if it would start with a digit, and `_` plus 8
hex digits of the SHA-256 of the original name appended: two different
names can then only meet through a hash collision, and the same name maps
the same way on every run. BigQuery compares column names (and, in
case-insensitive datasets and the emulator, table names) without case, so
two properties of one stream that differ only in case are refused rather
than merged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from singer_lite_core.errors import LoadError

MAX_TABLE_CHARS = 1024
MAX_COLUMN_CHARS = 300
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DISALLOWED = re.compile(r"[^A-Za-z0-9_]")
_RESERVED_PREFIXES = ("_table_", "_file_", "_partition", "_row_timestamp", "__root__", "_colidentifier")
_DIGEST_CHARS = 8


def bq_name(name: str, max_chars: int) -> str:
    if _PLAIN.match(name) and len(name) <= max_chars and not name.lower().startswith(_RESERVED_PREFIXES):
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_DIGEST_CHARS]
    cleaned = _DISALLOWED.sub("_", name)
    if not cleaned or cleaned[0].isdigit() or cleaned.lower().startswith(_RESERVED_PREFIXES):
        cleaned = "x_" + cleaned if cleaned.lower().startswith(_RESERVED_PREFIXES) else "_" + cleaned
    return f"{cleaned[: max_chars - _DIGEST_CHARS - 1]}_{digest}"


def table_name(stream: str) -> str:
    return bq_name(stream, MAX_TABLE_CHARS)


def column_names(properties: Iterable[str]) -> dict[str, str]:
    """Property name -> column name, refusing two properties that BigQuery would
    take for the same column."""
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for prop in properties:
        column = bq_name(prop, MAX_COLUMN_CHARS)
        folded = column.lower()
        if folded in seen:
            raise LoadError(
                f"properties {seen[folded]!r} and {prop!r} both map to column {column!r} "
                "(BigQuery column names ignore case)"
            )
        seen[folded] = prop
        mapping[prop] = column
    return mapping
