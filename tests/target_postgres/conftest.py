"""A fresh schema per test on the session's PostgreSQL server (tests/conftest.py),
for the tests only PostgreSQL has: identifiers, jsonb, keys, COPY, lost connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_servers.postgres_server import PostgresServer
from tests.support.postgres_backend import PostgresBackend, postgres_backend


@pytest.fixture
def target(pg_server: PostgresServer, tmp_path: Path) -> Iterator[PostgresBackend]:
    with postgres_backend(pg_server, tmp_path) as backend:
        yield backend
