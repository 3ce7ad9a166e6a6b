"""The suite under Meltano: meltano.yml's declarations, and `meltano run` with state.

The settings test needs no Meltano: it holds meltano.yml to what each
connector's `--about` says, which is what Meltano would otherwise learn only
from the Hub. The run tests install Meltano into .venv/meltano (once) and
run it in the repository root, offline but for PyPI, with every setting given
as an environment variable and a private system database per test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tap_nyc_taxi.streams import TRIP_STREAMS
from tests.e2e.harness import (
    MONTHS,
    ROWS_PER_MONTH,
    TAXI_TYPES,
    assert_equals_source,
    fingerprint,
    landed_rows,
    tap_config,
    target_config,
)
from tests.support.backend import Backend
from tests.support.meltano_project import REPO_ROOT, MeltanoProject, ensure_meltano
from tests.support.singer_process import run_connector

EXTRACTOR = "tap-nyc-taxi"
ABOUT_KINDS = {
    "string": "string",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
}


def meltano_plugins() -> list[dict[str, Any]]:
    project = yaml.safe_load((REPO_ROOT / "meltano.yml").read_text())
    return [*project["plugins"]["extractors"], *project["plugins"]["loaders"]]


def declared(plugin: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(s["name"], s["kind"], s.get("sensitive", False)) for s in plugin["settings"]]


def announced(about: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """What meltano.yml should say of each setting: secrets are kind password and sensitive."""
    settings = []
    for name, entry in about["settings"]["properties"].items():
        secret = bool(entry.get("secret"))
        settings.append((name, "password" if secret else ABOUT_KINDS[entry["type"][0]], secret))
    return settings


@pytest.mark.parametrize("plugin", meltano_plugins(), ids=lambda plugin: plugin["name"])
def test_meltano_yml_declares_what_about_prints(plugin: dict[str, Any]) -> None:
    about_run = run_connector(plugin["executable"], "--about", "--format", "json", singer_output=False)
    assert about_run.returncode == 0, about_run.stderr
    about = json.loads(about_run.stdout)
    assert declared(plugin) == announced(about)
    assert plugin["capabilities"] == about["capabilities"]


@pytest.fixture(scope="session")
def meltano_executable() -> Path:
    """Meltano itself plus the plugin virtualenvs under .meltano/, both reused between sessions."""
    return ensure_meltano()


@pytest.fixture
def meltano(meltano_executable: Path, tmp_path: Path) -> MeltanoProject:
    return MeltanoProject(meltano_executable, tmp_path / "meltano.db")


def as_environment(prefix: str, settings: dict[str, Any]) -> dict[str, str]:
    """Settings as Meltano's <PLUGIN>_<SETTING> variables; non-strings as JSON."""
    return {
        f"{prefix}_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
        for name, value in settings.items()
        if value is not None
    }


def test_meltano_run_loads_stores_state_and_resumes(
    meltano: MeltanoProject, backend: Backend, data_dir: Path, tmp_path: Path
) -> None:
    loader = backend.program
    env = {
        **as_environment("TAP_NYC_TAXI", tap_config(data_dir, tmp_path / "cache")),
        **as_environment(loader.upper().replace("-", "_"), target_config(backend)),
    }
    first = meltano.run("run", EXTRACTOR, loader, env=env)
    assert first.returncode == 0, first.stderr[-5000:]
    assert_equals_source(backend, data_dir)

    state_id = f"{meltano.environment}:{EXTRACTOR}-to-{loader}"
    listed = meltano.run("state", "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert state_id in listed.stdout.split(), listed.stdout + listed.stderr
    stored = meltano.run("state", "get", state_id)
    assert stored.returncode == 0, stored.stderr
    bookmarks = json.loads(stored.stdout)["singer_state"]["bookmarks"]
    for taxi_type in TAXI_TYPES:
        files = bookmarks[TRIP_STREAMS[taxi_type]]["files"]
        assert sorted((f["rows_done"], f["complete"]) for f in files.values()) == [(ROWS_PER_MONTH, True)] * len(MONTHS)

    before = {stream: fingerprint(stream, landed_rows(backend, stream)) for stream in TRIP_STREAMS.values()}
    second = meltano.run("run", EXTRACTOR, loader, env=env)
    assert second.returncode == 0, second.stderr[-5000:]
    assert second.stderr.count("already loaded; skipping") == len(TAXI_TYPES) * len(MONTHS)
    for stream in TRIP_STREAMS.values():
        assert f"stream '{stream}': 0 records loaded" in second.stderr
    assert {stream: fingerprint(stream, landed_rows(backend, stream)) for stream in TRIP_STREAMS.values()} == before
