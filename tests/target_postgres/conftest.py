"""One PostgreSQL server per session, a fresh schema per test, and a way to
run the real `target-postgres-lite` process against it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres_server import PostgresServer, fresh_schema, postgres_server
from tests.support.singer_process import Run, run_connector

PROGRAM = "target-postgres-lite"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server(fast=True) as server:
        yield server


@dataclass
class Target:
    """The target pointed at one fresh schema, plus helpers to read what landed."""

    server: PostgresServer
    schema: str
    tmp_path: Path

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {"sqlalchemy_url": self.server.dsn, "default_target_schema": self.schema, **overrides}

    def run(self, stdin: bytes | str, env: dict[str, str] | None = None, **settings: Any) -> Run:
        config_path = self.tmp_path / "config.json"
        config_path.write_text(json.dumps(self.config(**settings)))
        data = stdin.encode() if isinstance(stdin, str) else stdin
        return run_connector(PROGRAM, "--config", config_path, stdin=data, env=env)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(self.server.connect()) as conn, conn.cursor() as cur:
            cur.execute(f"SET search_path TO {quote(self.schema)}")
            cur.execute(sql, params)
            return cur.fetchall()

    def column_types(self, table: str) -> dict[str, str]:
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


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def states(run: Run) -> list[Any]:
    """STATE values the target wrote: one JSON value per stdout line."""
    return [json.loads(line) for line in run.stdout.decode().splitlines() if line.strip()]


@pytest.fixture
def target(pg_server: PostgresServer, tmp_path: Path) -> Iterator[Target]:
    with fresh_schema(pg_server) as schema:
        yield Target(pg_server, schema, tmp_path)


def lines(*messages: dict[str, Any]) -> str:
    return "".join(json.dumps(m) + "\n" for m in messages)


def schema_message(stream: str, properties: dict[str, Any], keys: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": properties},
        "key_properties": keys or [],
    }


def record(stream: str, values: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": values, **envelope}


def state(value: Any) -> dict[str, Any]:
    return {"type": "STATE", "value": value}
