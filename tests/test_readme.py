"""The README's settings tables are exactly what the connectors' `--about --format markdown` print."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.singer_process import run_connector

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("program", ["tap-nyc-taxi", "target-postgres-lite", "target-bigquery-lite"])
def test_readme_lists_every_setting_as_about_prints_it(program: str) -> None:
    about = run_connector(program, "--about", "--format", "markdown", singer_output=False).stdout.decode()
    table = about[about.index("| Setting |") :].strip()
    section = README[README.index(f"### {program}\n") :]
    assert table in section, f"README's {program} settings differ from its --about; paste the new table"
