"""Fixtures every suite shares: one PostgreSQL server and one BigQuery emulator per session.

Without Python 3.13 the emulator cannot run; its tests then skip with the
reason, except under CI=true, where a skip would hide that nothing ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from local_servers.bigquery_emulator import BigQueryEmulator, Python313NotFoundError
from local_servers.postgres_server import PostgresServer, PostgresUnavailable, postgres_server


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
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{error}\n(CI=true: the BigQuery tests must run.)")
        pytest.skip(f"BigQuery emulator unavailable: {error}")
    try:
        yield emulator
    finally:
        emulator.stop()
