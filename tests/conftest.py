"""Fixtures every suite shares: one PostgreSQL server and one BigQuery emulator
per session, and `backend`, a fresh schema or dataset on either per test.

Each back end asks for its session service only when its parameter runs, so
without Python 3.13 the BigQuery half skips with the reason on its own (or
fails under CI=true, tests/support/prerequisites.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from local_servers.bigquery_emulator import BigQueryEmulator, Python313NotFoundError
from local_servers.postgres_server import PostgresServer, PostgresUnavailable, postgres_server
from tests.support.backend import Backend
from tests.support.bigquery_backend import bigquery_backend
from tests.support.postgres_backend import postgres_backend
from tests.support.prerequisites import missing_prerequisite

OpenBackend = Callable[[Any, Path], AbstractContextManager[Backend]]

# Back end name -> (session fixture it runs against, how to open a fresh one on it).
BACKENDS: dict[str, tuple[str, OpenBackend]] = {
    "postgres": ("pg_server", postgres_backend),
    "bigquery": ("emulator", bigquery_backend),
}


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as missing:
        pytest.fail(f"PostgreSQL is needed for this test and could not be started: {missing}")


@pytest.fixture(scope="session")
def emulator() -> Iterator[BigQueryEmulator]:
    try:
        emulator = BigQueryEmulator().start()
    except Python313NotFoundError as error:
        missing_prerequisite(f"BigQuery emulator unavailable: {error}")
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Every test that takes it runs once per target; tests/targets and tests/e2e do."""
    service, open_backend = BACKENDS[request.param]
    with open_backend(request.getfixturevalue(service), tmp_path) as opened:
        yield opened
