"""Fixtures of the end-to-end suite: sample months per test, and one warehouse
per test on the servers the whole session shares (tests/conftest.py)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import (
    MONTHS,
    Warehouse,
    bigquery_dataset,
    postgres_schema,
    write_months,
)

WAREHOUSES = ("postgres", "bigquery")


@pytest.fixture(scope="session")
def template_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("template") / "data"
    write_months(data, MONTHS)
    return data


@pytest.fixture
def data_dir(template_months: Path, tmp_path: Path) -> Path:
    """A private copy of the sample months: tests add, corrupt and repair files in it."""
    return Path(shutil.copytree(template_months, tmp_path / "data"))


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest) -> Iterator[Warehouse]:
    """A fresh schema (PostgreSQL) or dataset (BigQuery emulator); the emulator starts only when asked for."""
    if request.param == "postgres":
        chosen = postgres_schema(request.getfixturevalue("pg_server"))
    else:
        chosen = bigquery_dataset(request.getfixturevalue("emulator"), f"e2e_{uuid.uuid4().hex[:10]}")
    with chosen as warehouse:
        yield warehouse
