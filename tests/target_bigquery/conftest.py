"""A fresh dataset per test on the session's BigQuery emulator (tests/conftest.py),
for the tests only BigQuery has: naming, layout, job faults, MERGE."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_servers.bigquery_emulator import BigQueryEmulator
from tests.support.bigquery_backend import BigQueryBackend, bigquery_backend


@pytest.fixture
def target(emulator: BigQueryEmulator, tmp_path: Path) -> Iterator[BigQueryBackend]:
    with bigquery_backend(emulator, tmp_path) as backend:
        yield backend
