"""Fixtures of the end-to-end suite: sample months per test. The `backend` each
test loads into, a fresh schema or dataset on the servers the whole session
shares, comes from tests/conftest.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.harness import MONTHS, write_months


@pytest.fixture(scope="session")
def template_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("template") / "data"
    write_months(data, MONTHS)
    return data


@pytest.fixture
def data_dir(template_months: Path, tmp_path: Path) -> Path:
    """A private copy of the sample months: tests add, corrupt and repair files in it."""
    return Path(shutil.copytree(template_months, tmp_path / "data"))
