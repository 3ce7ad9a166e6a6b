"""The `backend` fixture: every shared test runs once per target.

Each back end asks for its session service (PostgreSQL server, BigQuery
emulator) only when its parameter runs, so the BigQuery half skips on its
own (or fails under CI=true) when the emulator cannot start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.targets.backend import Backend
from tests.targets.bigquery_backend import bigquery_backend
from tests.targets.postgres_backend import postgres_backend

OpenBackend = Callable[[Any, Path], AbstractContextManager[Backend]]

# Back end name -> (session fixture it runs against, how to open a fresh one on it).
BACKENDS: dict[str, tuple[str, OpenBackend]] = {
    "postgres": ("pg_server", postgres_backend),
    "bigquery": ("emulator", bigquery_backend),
}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    service, open_backend = BACKENDS[request.param]
    with open_backend(request.getfixturevalue(service), tmp_path) as opened:
        yield opened
