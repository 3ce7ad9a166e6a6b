"""Shared sample data for the tap tests: generated once per session, read-only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tap_nyc_taxi.sample_data import generate, write_course_ratings
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES
from tests.support.singer_process import Run, run_connector, write_json
from tests.tap.sample_files import MONTHS, ROWS, SEED


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, MONTHS, ROWS, SEED, TAXI_TYPE_NAMES, row_group_size=500)
    write_course_ratings(out, SEED)
    return out


@pytest.fixture(scope="session")
def full_config(sample_dir: Path) -> dict[str, Any]:
    return {
        "source": str(sample_dir),
        "taxi_types": list(TAXI_TYPE_NAMES),
        "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv"),
        "courses": str(sample_dir / "courses.csv"),
        "ratings": str(sample_dir / "ratings.csv"),
        "state_every_rows": 400,
    }


@pytest.fixture
def run_tap(tmp_path: Path) -> Callable[..., Run]:
    """Run tap-nyc-taxi with a config (and optional state/catalog values), in a fresh cache dir."""

    def run(
        config: dict[str, Any], state: dict[str, Any] | None = None, catalog: dict[str, Any] | None = None, *extra: str
    ) -> Run:
        args: list[str | Path] = [
            "--config",
            write_json(tmp_path / "config.json", {"cache_dir": str(tmp_path / "cache"), **config}),
        ]
        if state is not None:
            args += ["--state", write_json(tmp_path / "state.json", state)]
        if catalog is not None:
            args += ["--catalog", write_json(tmp_path / "catalog.json", catalog)]
        return run_connector("tap-nyc-taxi", *args, *extra, singer_output=not extra)

    return run
