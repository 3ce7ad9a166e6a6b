"""One BigQuery emulator per test session and a fresh dataset per test.

Without Python 3.13 the emulator cannot run; the suite then skips with the
reason, except under CI=true, where a skip would hide that nothing ran.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.bigquery_emulator import BigQueryEmulator, Python313NotFoundError
from tests.target_bigquery.bq_backend import BigQueryTarget


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


@pytest.fixture
def target(emulator: BigQueryEmulator, tmp_path: Path) -> Iterator[BigQueryTarget]:
    client = emulator.client()
    dataset = f"t_{uuid.uuid4().hex[:10]}"
    try:
        yield BigQueryTarget(emulator, client, dataset, tmp_path)
    finally:
        client.delete_dataset(f"{emulator.project}.{dataset}", delete_contents=True, not_found_ok=True)
        client.close()
