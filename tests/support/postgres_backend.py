"""target-postgres-lite pointed at one fresh schema of the session's server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_servers.postgres_server import PostgresServer, fresh_schema
from target_postgres_lite.column_types import logical_of
from target_postgres_lite.loader import IDENTIFIERS
from target_postgres_lite.sql import quoted
from tests.support.backend import Backend

# Port 9 (discard) has no PostgreSQL on it, so every connection is refused.
UNREACHABLE_URL = "postgresql://nobody:{password}@127.0.0.1:9/db"


@dataclass
class PostgresBackend(
    Backend, name="postgres", bad_timestamp_error="invalid input syntax for type timestamp with time zone..."
):
    server: PostgresServer
    schema: str

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {"sqlalchemy_url": self.server.dsn, "default_target_schema": self.schema, **overrides}

    def pipeline_config(self, **overrides: Any) -> dict[str, Any]:
        params = self.server.params()
        return {
            "host": params["host"],
            "port": int(params["port"]),
            "user": params["user"],
            "password": params.get("password"),
            "database": params["dbname"],
            "default_target_schema": self.schema,
            **overrides,
        }

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(self.server.connect()) as conn, conn.cursor() as cur:
            cur.execute(f"SET search_path TO {quoted(self.schema)}")
            cur.execute(sql, params)
            return cur.fetchall()

    def quote(self, name: str) -> str:
        return quoted(name)

    def table(self, stream: str) -> str:
        return f"{quoted(self.schema)}.{quoted(IDENTIFIERS.table(stream))}"

    def column_types(self, stream: str) -> dict[str, str]:
        types = self.pg_types(IDENTIFIERS.table(stream))
        return {c: (t.value if (t := logical_of(pg)) else pg) for c, pg in types.items()}

    def pg_types(self, table: str) -> dict[str, str]:
        """Column -> PostgreSQL type as information_schema names it."""
        rows = self.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            (self.schema, table),
        )
        return dict(rows)

    def primary_key(self, table: str) -> list[str]:
        rows = self.query(
            """SELECT a.attname FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
               WHERE i.indrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass AND i.indisprimary
               ORDER BY array_position(i.indkey, a.attnum)""",
            (self.schema, table),
        )
        return [r[0] for r in rows]

    def tables(self) -> set[str]:
        rows = self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (self.schema,))
        return {r[0] for r in rows}

    def unreachable_settings(self) -> dict[str, Any]:
        return {"sqlalchemy_url": UNREACHABLE_URL.format(password="not-a-secret")}

    def secret_settings(self, secret: str) -> dict[str, Any]:
        return {"sqlalchemy_url": UNREACHABLE_URL.format(password=secret), "password": secret}


@contextlib.contextmanager
def postgres_backend(server: PostgresServer, tmp_path: Path) -> Iterator[PostgresBackend]:
    """A back end on a schema that does not exist yet and is dropped afterwards."""
    with fresh_schema(server) as schema:
        yield PostgresBackend(tmp_path=tmp_path, server=server, schema=schema)
