"""A fresh schema per test on the session's PostgreSQL server (tests/conftest.py),
for the tests only PostgreSQL has: identifiers, jsonb, keys, COPY, lost connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_servers.postgres_server import PostgresServer
from tests.targets.postgres_backend import PostgresBackend, postgres_backend
from tests.targets.singer_text import lines, record, schema_message, state, states

# This directory's tests know the back end as the target, and take the Singer text helpers from here.
Target = PostgresBackend
__all__ = ["Target", "lines", "record", "schema_message", "state", "states"]


@pytest.fixture
def target(pg_server: PostgresServer, tmp_path: Path) -> Iterator[Target]:
    with postgres_backend(pg_server, tmp_path) as backend:
        yield backend
