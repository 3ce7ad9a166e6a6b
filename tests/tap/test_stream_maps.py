"""Stream maps in the tap: its output is singer-sdk's mapper applied to its unmapped output.

The tap maps whole Arrow batches, vectorised where it can; the oracle maps
the unmapped run's records one by one, as an SDK tap would. STATE is the
same either way: bookmarks stay keyed by the source stream.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from singer_sdk.mapper import PluginMapper

from tests.support.singer_process import Run

MAPS = {
    "yellow_trips": {
        "__filter__": "trip_distance > 2 and passenger_count is not None",
        "tip_share": "tip_amount / total_amount if total_amount else 0",
        "pickup_zone": "md5(str(PULocationID))",
        "store_and_fwd_flag": None,
    },
    "long_trips": {
        "__source__": "yellow_trips",
        "__else__": None,
        "__key_properties__": ["source_file", "source_row"],
        "source_file": "source_file",
        "source_row": "source_row",
        "day": "tpep_pickup_datetime[:10]",
        "miles": "float(trip_distance)",
    },
    "courses": {"programming_language": "programming_language or 'R'"},
}


def _config(sample_dir: Path, **extra: Any) -> dict[str, Any]:
    return {
        "source": str(sample_dir),
        "taxi_types": ["yellow"],
        "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv"),
        "courses": str(sample_dir / "courses.csv"),
        "state_every_rows": 400,
        **extra,
    }


def _sdk_mapped(unmapped: Run, config: dict[str, Any]) -> list[tuple[Any, ...]]:
    mapper = PluginMapper(copy.deepcopy(config), logging.getLogger("sdk"))
    out: list[tuple[Any, ...]] = []
    for message in unmapped.messages:
        if message["type"] == "SCHEMA":
            mapper.register_raw_stream_schema(message["stream"], message["schema"], message["key_properties"])
            for m in mapper.stream_maps[message["stream"]]:
                if type(m).__name__ != "RemoveRecordTransform":
                    out.append(("SCHEMA", m.stream_alias, m.transformed_schema, m.transformed_key_properties or []))
        elif message["type"] == "RECORD":
            for m in mapper.stream_maps[message["stream"]]:
                mapped = m.transform(copy.copy(message["record"]))
                if mapped is not None:
                    out.append(("RECORD", m.stream_alias, mapped))
        else:
            out.append((message["type"], message.get("value")))
    return out


def _per_stream(messages: list[tuple[Any, ...]]) -> dict[str | None, list[tuple[Any, ...]]]:
    """Messages in order within each stream: the tap writes a batch's rows stream by stream, where
    an SDK tap interleaves them record by record (STATEs are under None)."""
    streams: dict[str | None, list[tuple[Any, ...]]] = {}
    for message in messages:
        streams.setdefault(message[1] if message[0] in ("SCHEMA", "RECORD") else None, []).append(message)
    return streams


def _mine(run: Run) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for message in run.messages:
        if message["type"] == "SCHEMA":
            out.append(("SCHEMA", message["stream"], message["schema"], message["key_properties"]))
        elif message["type"] == "RECORD":
            out.append(("RECORD", message["stream"], message["record"]))
        else:
            out.append((message["type"], message.get("value")))
    return out


def test_the_tap_maps_its_streams_as_singer_sdk_does(sample_dir: Path, run_tap: Callable[..., Run]) -> None:
    unmapped = run_tap(_config(sample_dir))
    assert unmapped.returncode == 0, unmapped.stderr
    mapped = run_tap(_config(sample_dir, stream_maps=MAPS))
    assert mapped.returncode == 0, mapped.stderr
    mine, expected = _per_stream(_mine(mapped)), _per_stream(_sdk_mapped(unmapped, {"stream_maps": MAPS}))
    assert mine == expected
    assert set(mine) == {"yellow_trips", "long_trips", "courses", "taxi_zones", None}
    assert 0 < len(mapped.records("yellow_trips")) < len(unmapped.records("yellow_trips"))
    assert len(mapped.records("long_trips")) == len(unmapped.records("yellow_trips"))
    assert [r["programming_language"] for r in mapped.records("courses")].count(None) == 0
    assert mapped.states() == unmapped.states()


def test_a_dropped_stream_writes_nothing_but_its_bookmarks_advance(
    sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    unmapped = run_tap(_config(sample_dir))
    run = run_tap(_config(sample_dir, stream_maps={"yellow_trips": None}))
    assert run.returncode == 0, run.stderr
    assert {m["stream"] for m in run.of_type("SCHEMA")} == {"taxi_zones", "courses"}
    assert run.records("yellow_trips") == []
    assert run.states()[-1] == unmapped.states()[-1]


def test_an_expression_failing_on_a_row_names_the_file_and_row(sample_dir: Path, run_tap: Callable[..., Run]) -> None:
    maps = {"yellow_trips": {"x": "fare_amount / (VendorID - VendorID)"}}
    run = run_tap(_config(sample_dir, stream_maps=maps))
    assert run.returncode != 0
    assert run.error_lines() == [
        "tap-nyc-taxi: error: stream 'yellow_trips': yellow_tripdata_2021-01.parquet row 1: stream map 'yellow_trips': "
        "property 'x': expression 'fare_amount / (VendorID - VendorID)' failed: ZeroDivisionError: "
        "float division by zero"
    ]
    assert run.records("yellow_trips") == []


def test_stream_maps_and_batch_output_are_refused_together(
    sample_dir: Path, run_tap: Callable[..., Run], tmp_path: Path
) -> None:
    batch = {"encoding": {"format": "jsonl"}, "storage": {"root": str(tmp_path)}}
    run = run_tap(_config(sample_dir, stream_maps=MAPS, batch_config=batch))
    assert run.returncode != 0
    assert "cannot be used together" in run.error_lines()[0]
