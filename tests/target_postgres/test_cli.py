"""The command line: --about, --version, settings from files and environment, secrets."""

from __future__ import annotations

import json
import subprocess

from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_process import BIN, run_connector
from tests.support.singer_text import lines, record, schema_message

PROGRAM = "target-postgres-lite"


def output_of(*args: str) -> str:
    completed = subprocess.run([str(BIN / PROGRAM), *args], capture_output=True, check=True)
    return completed.stdout.decode()


EVERY_SETTING = {
    "host",
    "port",
    "user",
    "password",
    "database",
    "sqlalchemy_url",
    "default_target_schema",
    "ssl_enable",
    "ssl_mode",
    "ssl_certificate_authority",
    "ssl_client_certificate",
    "ssl_client_private_key",
    "load_method",
    "batch_size_rows",
    "batch_size_bytes",
    "batch_wait_seconds",
    "add_record_metadata",
    "hard_delete",
    "validate_records",
    "number_as_float",
    "undeclared_fields",
    "retry_attempts",
    "clean_up_batch_files",
    "stream_maps",
    "stream_map_config",
    "flattening_enabled",
    "flattening_max_depth",
}


def test_about_json_lists_every_setting() -> None:
    about = json.loads(output_of("--about", "--format", "json"))
    assert set(about["settings"]["properties"]) == EVERY_SETTING
    assert about["settings"]["properties"]["password"]["secret"] is True
    assert about["settings"]["properties"]["load_method"]["enum"] == ["append-only", "upsert", "overwrite"]


def test_about_markdown_lists_every_setting() -> None:
    markdown = output_of("--about", "--format", "markdown")
    assert all(f"| `{name}` |" in markdown for name in EVERY_SETTING)


def test_version() -> None:
    assert output_of("--version") == "target-postgres-lite 0.1.0\n"


def test_settings_from_environment_and_secrets_never_logged(target: PostgresBackend) -> None:
    params = target.server.params()
    password = params.get("password") or "a-password-trust-auth-ignores"
    env = {
        f"TARGET_POSTGRES_LITE_{k.upper()}": v
        for k, v in {
            "host": params.get("host", "localhost"),
            "port": params.get("port", "5432"),
            "user": params.get("user", "postgres"),
            "password": password,
            "database": params.get("dbname", "postgres"),
            "default_target_schema": target.schema,
            "load_method": "append-only",
        }.items()
    }
    data = lines(
        schema_message("t", {"id": {"type": "integer"}}, ["id"]), record("t", {"id": 1}), record("t", {"id": 1})
    )
    run = run_connector(PROGRAM, stdin=data.encode(), env={**env, "LOG_LEVEL": "DEBUG"})
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT count(*) FROM t") == [(2,)]
    assert password not in run.stderr
    assert "'password': '********'" in run.stderr


def test_bad_setting_is_one_clear_line(target: PostgresBackend) -> None:
    run = target.run("", load_method="merge-ish")
    assert run.returncode == 2
    assert run.error_lines() == [
        "target-postgres-lite: error: setting 'load_method' has 'merge-ish'; allowed: append-only, upsert, overwrite"
    ]


def test_input_file_option(target: PostgresBackend) -> None:
    path = target.tmp_path / "in.singer"
    path.write_text(lines(schema_message("t", {"id": {"type": "integer"}}), record("t", {"id": 5})))
    config = target.tmp_path / "c.json"
    config.write_text(json.dumps(target.config()))
    run = run_connector(PROGRAM, "--config", config, "--input", path)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id FROM t") == [(5,)]
