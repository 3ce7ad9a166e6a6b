"""Fixtures every suite shares: one PostgreSQL server per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres_server import PostgresServer, PostgresUnavailable, postgres_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as missing:
        pytest.fail(f"PostgreSQL is needed for this test and could not be started: {missing}")
