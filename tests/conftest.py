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
from local_servers.gcs_server import GcsServer
from local_servers.postgres_server import PostgresServer, PostgresUnavailable, postgres_server
from tests.support.backend import Backend
from tests.support.bigquery_backend import bigquery_backend, staging_gcs, warm_up_gs_loads
from tests.support.memory_disk import memory_backed_dir
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
def gcs_server() -> Iterator[GcsServer]:
    """A local GCS API the session's emulator reads gs:// loads from (tests/support/bigquery_backend.py)."""
    with staging_gcs() as server:
        yield server


@pytest.fixture(scope="session")
def emulator(gcs_server: GcsServer) -> Iterator[BigQueryEmulator]:
    try:
        emulator = BigQueryEmulator(
            storage_emulator_host=gcs_server.endpoint_url, data_parent=memory_backed_dir()
        ).start()
    except Python313NotFoundError as error:
        missing_prerequisite(f"BigQuery emulator unavailable: {error}")
    try:
        warm_up_gs_loads(emulator, gcs_server)
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Every test that takes it runs once per target; tests/targets and tests/e2e do."""
    service, open_backend = BACKENDS[request.param]
    with open_backend(request.getfixturevalue(service), tmp_path) as opened:
        yield opened


# The files that take longest start first: `make test` spreads files over workers (pytest-xdist,
# --dist loadfile) in this order, so none of them is left running alone at the end while the others idle.
LONGEST_FIRST = ("tests/test_packaging.py", "tests/e2e/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)
