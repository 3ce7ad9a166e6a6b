"""The tap's singer-sdk conventions: `--test`, `--test=schema`, `--config ENV`,
METRIC log lines, the SDK's log-level variables and structured (JSON) logging.

Each runs the installed tap on the session's sample files and checks what it
wrote: the messages on stdout, and the log lines on stderr parsed as
Meltano parses them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tap_nyc_taxi.streams import all_streams
from tests.support.singer_process import Run, counted_records, run_connector, write_json

PROGRAM = "tap-nyc-taxi"
LOG_CONFIG_WITH_STRUCTURED_LOGS = {
    # What Meltano writes to SINGER_SDK_LOG_CONFIG for a plugin with the structured-logging capability.
    "version": 1,
    "disable_existing_loggers": True,
    "formatters": {"singer_formatter": {"()": "singer_sdk.logging.StructuredFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "singer_formatter", "stream": "ext://sys.stderr"}
    },
    "root": {"handlers": ["console"], "level": "INFO"},
}


@pytest.fixture(scope="module")
def small_config(full_config: dict[str, Any]) -> dict[str, Any]:
    """One month pair of one taxi type, plus the reference tables: enough where volume does not matter."""
    return {**full_config, "taxi_types": ["green"]}


def _streams(run: Run) -> Counter[str]:
    return Counter(message["stream"] for message in run.of_type("RECORD"))


def test_test_syncs_one_record_per_stream_and_reads_neither_state_nor_catalog(
    run_tap: Callable[..., Run], full_config: dict[str, Any]
) -> None:
    nothing_selected: dict[str, list[Any]] = {"streams": []}
    run = run_tap(full_config, {"bookmarks": "not a state the tap could read"}, nothing_selected, "--test")
    assert run.returncode == 0, run.stderr
    messages = [json.loads(line) for line in run.stdout.splitlines()]
    schemas = [m["stream"] for m in messages if m["type"] == "SCHEMA"]
    records = Counter(m["stream"] for m in messages if m["type"] == "RECORD")
    assert sorted(schemas) == sorted(all_streams())  # full_config gives every stream a source
    assert records == dict.fromkeys(schemas, 1)
    assert messages[-1]["type"] == "STATE"
    yellow = messages[-1]["value"]["bookmarks"]["yellow_trips"]["files"]
    assert [(f["rows_done"], f["complete"]) for f in yellow.values()] == [(1, False)]


def test_test_schema_writes_the_schema_messages_only(run_tap: Callable[..., Run], small_config: dict[str, Any]) -> None:
    full = run_tap(small_config)
    schema_only = run_tap(small_config, None, None, "--test=schema")
    assert schema_only.returncode == 0, schema_only.stderr
    messages = [json.loads(line) for line in schema_only.stdout.splitlines()]
    assert {m["type"] for m in messages} == {"SCHEMA"}
    assert messages == full.of_type("SCHEMA")


def test_config_env_reads_the_settings_from_the_environment_only(small_config: dict[str, Any], tmp_path: Path) -> None:
    env = {f"TAP_NYC_TAXI_{name.upper()}": json.dumps(value) for name, value in small_config.items()}
    env |= {
        f"TAP_NYC_TAXI_{name.upper()}": small_config[name] for name in ("source", "zone_lookup", "courses", "ratings")
    }
    env["TAP_NYC_TAXI_CACHE_DIR"] = str(tmp_path / "cache")
    from_env = run_connector(PROGRAM, "--config", "ENV", env=env)
    assert from_env.returncode == 0, from_env.stderr
    from_file = run_connector(PROGRAM, "--config", write_json(tmp_path / "config.json", small_config))
    assert _streams(from_env) == _streams(from_file)
    assert sum(_streams(from_env).values()) > 0


def test_metric_lines_count_every_record_and_time_every_stream(
    run_tap: Callable[..., Run], full_config: dict[str, Any]
) -> None:
    run = run_tap(full_config)
    assert run.returncode == 0, run.stderr
    counted = counted_records(run.metrics())
    assert counted == _streams(run)
    timed = {p["tags"]["stream"]: p for p in run.metrics() if p["metric"] == "sync_duration"}
    assert set(timed) == set(counted)
    for point in timed.values():
        assert point["type"] == "timer"
        assert point["value"] > 0
        assert set(point["tags"]) == {"stream", "pid", "context", "status"}
        assert point["tags"]["status"] == "succeeded"


def test_the_sdk_log_level_variable_quiets_the_metric_lines(
    run_tap: Callable[..., Run], small_config: dict[str, Any], monkeypatch: Any
) -> None:
    monkeypatch.setenv("TAP_NYC_TAXI_LOGLEVEL", "warning")
    run = run_tap(small_config)
    assert run.returncode == 0, run.stderr
    assert run.metrics() == []
    assert " INFO " not in run.stderr


def test_structured_logging_writes_one_json_object_per_line(
    run_tap: Callable[..., Run], small_config: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv(
        "SINGER_SDK_LOG_CONFIG", str(write_json(tmp_path / "logging.json", LOG_CONFIG_WITH_STRUCTURED_LOGS))
    )
    run = run_tap(small_config)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stderr.splitlines()]
    fields = {"level", "pid", "logger_name", "ts", "thread_name", "app_name", "stream_name", "message", "extra"}
    assert all(fields <= set(line) for line in lines)
    assert {line["app_name"] for line in lines} == {PROGRAM}
    metrics = [line["metric_info"] for line in lines if line["message"] == "METRIC"]
    assert counted_records(metrics) == _streams(run)
    assert any(line["logger_name"] == "tap_nyc_taxi.sync" for line in lines), "the tap's own loggers were disabled"


def test_an_unusable_log_config_is_one_line_and_a_failure(
    run_tap: Callable[..., Run], small_config: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    broken = {"version": 1, "handlers": {"console": {"class": "logging.NoSuchHandler"}}}
    monkeypatch.setenv("SINGER_SDK_LOG_CONFIG", str(write_json(tmp_path / "logging.json", broken)))
    run = run_tap(small_config)
    assert run.returncode != 0
    assert run.stdout == b""
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.error_lines()[0].startswith(f"{PROGRAM}: error: SINGER_SDK_LOG_CONFIG file ")
