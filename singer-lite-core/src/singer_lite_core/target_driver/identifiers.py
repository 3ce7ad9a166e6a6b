"""Database names for streams and properties, from the rules each loader declares.

A name the database takes as it is stays exactly as it is, so `clientName`
is found as "clientName" in every target: names are never lowercased or
cleaned for their own sake. Any other name has each character the database
refuses replaced, a prefix added where its start is not allowed, and is cut
to the length limit with `_` plus 8 hex digits of the SHA-256 of the full
name appended. Two different names then meet only through a hash collision
(PostgreSQL, for one, would otherwise silently cut two long names to the
same 63 bytes), and a name maps the same way on every run. Two properties
of one stream that still meet, once case is ignored where the database
ignores it, are refused rather than merged into one column.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver.capabilities import LoaderCapabilities

DIGEST_CHARS = 8
DIGIT_PREFIX = "_"
RESERVED_PREFIX = "x_"


def digest(name: str) -> str:
    """The DIGEST_CHARS hex digits of the SHA-256 of `name` that a cut name ends with."""
    return hashlib.sha256(name.encode()).hexdigest()[:DIGEST_CHARS]


def cut(name: str, length: int, *, in_bytes: bool) -> str:
    """The longest start of `name` within `length` units (UTF-8 bytes if
    `in_bytes`, else characters), never half a character."""
    if in_bytes:
        return name.encode()[:length].decode("utf-8", errors="ignore")
    return name[:length]


class Identifiers:
    """The naming rules of one database; `database` names it in errors."""

    def __init__(self, capabilities: LoaderCapabilities, database: str) -> None:
        rules = capabilities.identifier_rules
        self._database = database
        self._disallowed = re.compile(f"[{rules.disallowed_characters}]")
        self._replacement = rules.replacement
        self._leading_digit_allowed = rules.leading_digit_allowed
        self._reserved = tuple(prefix.lower() for prefix in rules.reserved_prefixes)
        self._in_bytes = capabilities.identifier_length_unit == "bytes"
        self._case_insensitive = capabilities.case_insensitive_identifiers
        self._max_column = capabilities.max_identifier_length
        self._max_table = rules.max_table_name_length or capabilities.max_identifier_length

    def table(self, stream: str) -> str:
        return self._mapped(stream, self._max_table)

    def columns(self, properties: Iterable[str]) -> dict[str, str]:
        """Property name -> column name, refusing two properties that the
        database would take for the same column."""
        mapping: dict[str, str] = {}
        seen: dict[str, str] = {}
        for prop in properties:
            column = self._mapped(prop, self._max_column)
            folded = column.lower() if self._case_insensitive else column
            if folded in seen:
                reason = f" ({self._database} column names ignore case)" if self._case_insensitive else ""
                raise LoadError(f"properties {seen[folded]!r} and {prop!r} both map to column {column!r}{reason}")
            seen[folded] = prop
            mapping[prop] = column
        return mapping

    def _mapped(self, name: str, max_length: int) -> str:
        if not self._disallowed.search(name) and not self._prefix(name) and self._length(name) <= max_length:
            return name
        hashed = digest(name)
        prefix = self._prefix(self._cleaned(name))
        head = self._cleaned(cut(name, max_length - len(prefix) - len(hashed) - 1, in_bytes=self._in_bytes))
        return f"{prefix}{head}_{hashed}"

    def _cleaned(self, name: str) -> str:
        return self._disallowed.sub(self._replacement, name)

    def _prefix(self, name: str) -> str:
        """What must go before `name` for its start to be allowed, if anything."""
        if name.lower().startswith(self._reserved):
            return RESERVED_PREFIX
        if not self._leading_digit_allowed and (not name or name[0].isdigit()):
            return DIGIT_PREFIX
        return ""

    def _length(self, name: str) -> int:
        return len(name.encode()) if self._in_bytes else len(name)
