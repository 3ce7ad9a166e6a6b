"""Names in PostgreSQL statements: always quoted, so that names keep their case
and reserved words (`select`, `order`) work as column names."""

from __future__ import annotations


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quoted(schema)}.{quoted(table)}"
