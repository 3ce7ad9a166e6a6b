"""The Singer command line: --about, --version, --discover, and catalog selection."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.support.singer_process import Run, run_connector


def test_about_lists_every_setting_without_secret_values() -> None:
    about = json.loads(run_connector("tap-nyc-taxi", "--about", singer_output=False).stdout)
    assert about["name"] == "tap-nyc-taxi"
    assert set(about["capabilities"]) >= {"catalog", "discover", "state", "about"}
    properties = about["settings"]["properties"]
    assert {
        "source",
        "taxi_types",
        "start_month",
        "end_month",
        "zone_lookup",
        "courses",
        "ratings",
        "course_rating_database",
    } <= set(properties)
    assert properties["course_rating_database"]["secret"] is True


def test_about_markdown_is_a_settings_table() -> None:
    text = run_connector("tap-nyc-taxi", "--about", "--format", "markdown", singer_output=False).stdout.decode()
    assert text.startswith("# tap-nyc-taxi")
    assert '| `taxi_types` | array | `["yellow"]` |' in text


def test_version_prints_the_package_version() -> None:
    assert run_connector("tap-nyc-taxi", "--version", singer_output=False).stdout.decode().startswith("tap-nyc-taxi 0.")


def test_discover_describes_replication_for_every_stream(
    full_config: dict[str, Any], run_tap: Callable[..., Run]
) -> None:
    run = run_tap({**full_config, "taxi_types": ["green"]}, None, None, "--discover")
    assert run.returncode == 0, run.stderr
    streams = {entry["tap_stream_id"]: entry for entry in json.loads(run.stdout)["streams"]}
    trips = {"yellow_trips", "green_trips", "fhv_trips", "fhvhv_trips"}
    assert set(streams) == trips | {"taxi_zones", "courses", "ratings"}
    roots = {name: next(m["metadata"] for m in e["metadata"] if m["breadcrumb"] == []) for name, e in streams.items()}
    assert roots["green_trips"]["selected"] is True
    assert roots["yellow_trips"]["selected"] is False
    assert roots["green_trips"]["replication-method"] == "INCREMENTAL"
    assert roots["green_trips"]["replication-key"] == "source_row"
    assert roots["green_trips"]["valid-replication-keys"] == ["source_row"]
    assert roots["courses"]["replication-method"] == "FULL_TABLE"
    assert roots["ratings"]["table-key-properties"] == ["user_id", "course_id"]
    inclusion = {
        m["breadcrumb"][1]: m["metadata"]["inclusion"] for m in streams["green_trips"]["metadata"] if m["breadcrumb"]
    }
    assert inclusion["source_file"] == inclusion["source_row"] == "automatic"
    assert inclusion["fare_amount"] == "available"


def test_catalog_selects_streams_and_properties(full_config: dict[str, Any], run_tap: Callable[..., Run]) -> None:
    catalog = json.loads(run_tap(full_config, None, None, "--discover").stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["stream"] in ("fhv_trips", "ratings")
            elif item["breadcrumb"][1] in ("SR_Flag", "dropOff_datetime", "source_row", "rating"):
                item["metadata"]["selected"] = False
    run = run_tap(full_config, None, catalog)
    assert run.returncode == 0, run.stderr
    assert {m["stream"] for m in run.of_type("SCHEMA")} == {"fhv_trips", "ratings"}
    fhv = run.records("fhv_trips")
    assert set(fhv[0]) == {
        "source_file",
        "source_row",
        "dispatching_base_num",
        "pickup_datetime",
        "PUlocationID",
        "DOlocationID",
        "Affiliated_base_number",
    }
    assert set(run.records("ratings")[0]) == {"user_id", "course_id"}
    schema = next(m for m in run.of_type("SCHEMA") if m["stream"] == "fhv_trips")["schema"]
    assert "SR_Flag" not in schema["properties"]
    assert "source_row" in schema["properties"]


def test_environment_variables_configure_the_tap(full_config: dict[str, Any], sample_dir: Any, tmp_path: Any) -> None:
    env = {
        "TAP_NYC_TAXI_SOURCE": str(sample_dir),
        "TAP_NYC_TAXI_TAXI_TYPES": '["fhv"]',
        "TAP_NYC_TAXI_START_MONTH": "2021-02",
        "TAP_NYC_TAXI_ZONE_LOOKUP": full_config["zone_lookup"],
        "TAP_NYC_TAXI_CACHE_DIR": str(tmp_path),
    }
    run = run_connector("tap-nyc-taxi", env=env)
    assert run.returncode == 0, run.stderr
    assert {r["source_file"] for r in run.records("fhv_trips")} == {"fhv_tripdata_2021-02.parquet"}
    assert run.records("yellow_trips") == []
