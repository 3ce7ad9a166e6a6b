"""BigQuery-only bad input and bad settings: one error line, a non-zero exit,
nothing past the last commit, and never a credential in the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_process import run_connector
from tests.target_bigquery.cases import BIGQUERY_BAD_INPUT
from tests.targets.bad_input import BadInput, check_bad_input


@pytest.mark.parametrize("case", BIGQUERY_BAD_INPUT, ids=str)
def test_bad_input(target: BigQueryBackend, case: BadInput) -> None:
    check_bad_input(target, case)


def test_missing_setting_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"project": "p"}))
    run = run_connector("target-bigquery-lite", "--config", config, stdin=b"")
    assert run.returncode == 2
    assert run.error_lines() == [
        "target-bigquery-lite: error: setting 'dataset' is required: "
        "Dataset the stream tables go to; created if missing."
    ]


def test_a_bad_key_file_is_named_but_never_shown(tmp_path: Path) -> None:
    secret = "-----BEGIN PRIVATE KEY-----\\nTOP-SECRET-KEY-MATERIAL\\n-----END PRIVATE KEY-----\\n"
    key_file = tmp_path / "key.json"
    key_file.write_text(f'{{"type": "service_account", "private_key": "{secret}", "client_email": "x@y"}}')
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"project": "p", "dataset": "d", "credentials_path": str(key_file)}))
    run = run_connector("target-bigquery-lite", "--config", config, stdin=b"")
    assert run.returncode == 2
    assert run.error_lines() == [
        f"target-bigquery-lite: error: setting 'credentials_path': {key_file} is not a service-account JSON key "
        "(MalformedError)"
    ]
    assert "TOP-SECRET" not in run.stderr
    assert "PRIVATE KEY" not in run.stderr


def test_about_lists_every_setting() -> None:
    run = run_connector("target-bigquery-lite", "--about", singer_output=False)
    assert run.returncode == 0
    about = json.loads(run.stdout)
    assert {
        "project",
        "dataset",
        "location",
        "credentials_path",
        "api_endpoint",
        "load_method",
        "batch_size_rows",
        "batch_size_bytes",
        "add_record_metadata",
        "hard_delete",
        "validate_records",
        "partition_by",
        "cluster_by",
        "number_as_float",
    } <= set(about["settings"]["properties"])
