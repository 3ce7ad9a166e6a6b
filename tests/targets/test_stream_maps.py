"""Stream maps and flattening in both targets: what lands is what singer-sdk's mapper makes of the input.

Each case feeds the same Singer text to a target and checks the tables,
rows and STATE against singer-sdk's PluginMapper applied to the same text.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import singer_sdk.testing
from singer_sdk.mapper import PluginMapper

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message, state, states

STREAMS = Path(singer_sdk.testing.__file__).parent / "target_test_streams"
COURSES = schema_message(
    "courses",
    {
        "course_id": {"type": "integer"},
        "title": {"type": "string"},
        "programming_language": {"type": ["string", "null"]},
    },
    ["course_id"],
)
COURSE_ROWS = [
    {"course_id": 1, "title": "Intro to SQL", "programming_language": "SQL"},
    {"course_id": 2, "title": "Tidyverse", "programming_language": None},
    {"course_id": 3, "title": "Pandas", "programming_language": "Python"},
    {"course_id": 4, "title": "ggplot2", "programming_language": ""},
]
MAPS = {
    "courses": {"programming_language": "programming_language or 'R'", "title_hash": "md5(title)"},
    "python_courses": {
        "__source__": "courses",
        "__filter__": "programming_language == 'Python'",
        "__else__": None,
        "__key_properties__": ["course_id"],
        "course_id": "course_id",
        "title": "title",
    },
}


def sdk_rows(config: dict[str, Any], text: str) -> dict[str, list[dict[str, Any]]]:
    """What singer-sdk's mapper makes of the text's records, per output stream."""
    mapper = PluginMapper(copy.deepcopy(config), logging.getLogger("sdk"))
    out: dict[str, list[dict[str, Any]]] = {}
    for message in map(json.loads, text.splitlines()):
        if message["type"] == "SCHEMA":
            mapper.register_raw_stream_schema(message["stream"], message["schema"], message["key_properties"])
        elif message["type"] == "RECORD":
            for stream_map in mapper.stream_maps[message["stream"]]:
                mapped = stream_map.transform(copy.copy(message["record"]))
                if mapped is not None:
                    out.setdefault(stream_map.stream_alias, []).append(mapped)
    return out


def test_mapped_streams_land_as_the_sdk_maps_them(backend: Backend) -> None:
    text = lines(COURSES, *(record("courses", r) for r in COURSE_ROWS), state({"courses": 4}))
    run = backend.run(text, stream_maps=MAPS)
    assert run.returncode == 0, run.stderr
    expected = sdk_rows({"stream_maps": MAPS}, text)
    for stream, rows in expected.items():
        columns = list(rows[0])
        landed = backend.rows(stream, columns, order_by="course_id")
        assert landed == [tuple(r[c] for c in columns) for r in rows], stream
    assert [r[2] for r in backend.rows("courses", ["course_id", "title", "programming_language"], "course_id")] == [
        "SQL",
        "R",
        "Python",
        "R",
    ]
    assert backend.count("python_courses") == 1
    assert states(run) == [{"courses": 4}]


def test_a_dropped_stream_gets_no_table_and_its_state_is_released(backend: Backend) -> None:
    text = (STREAMS / "user_location_data.singer").read_text()
    run = backend.run(text, stream_maps={"__else__": None, "test_users": {"__alias__": "people"}})
    assert run.returncode == 0, run.stderr
    assert backend.tables() == {"people"}
    assert backend.count("people") == 5
    assert states(run)


def test_flattening_lands_parent__child_columns(backend: Backend) -> None:
    text = (STREAMS / "user_location_data.singer").read_text()
    run = backend.run(text, flattening_enabled=True, flattening_max_depth=1)
    assert run.returncode == 0, run.stderr
    expected = sdk_rows({"flattening_enabled": True, "flattening_max_depth": 1}, text)["test_user_in_location"]
    columns = ["id", "info__weather", "info__mood"]
    assert set(columns) <= set(backend.column_types("test_user_in_location"))
    landed = backend.rows("test_user_in_location", columns, order_by="id")
    assert landed == [tuple(r.get(c) for c in columns) for r in expected]


def test_an_expression_failing_on_a_row_stops_before_its_state(backend: Backend) -> None:
    """The row's line and the map are named; the STATE before it is released, the one after it is not."""
    text = lines(
        COURSES,
        record("courses", COURSE_ROWS[0]),
        state({"courses": 1}),
        record("courses", COURSE_ROWS[1]),
        state({"courses": 2}),
    )
    run = backend.run(text, stream_maps={"courses": {"initial": "programming_language[0]"}}, batch_size_rows=1)
    assert run.returncode != 0
    assert run.error_lines() == [
        backend.error_line(
            "stream 'courses': line 4: stream map 'courses': property 'initial': expression "
            "'programming_language[0]' failed: TypeError: 'NoneType' object is not subscriptable"
        )
    ]
    assert states(run) == [{"courses": 1}]
    assert backend.count("courses") == 1


def test_a_map_naming_no_property_fails_before_any_row(backend: Backend) -> None:
    text = lines(COURSES, record("courses", COURSE_ROWS[0]), state({"courses": 1}))
    run = backend.run(text, stream_maps={"courses": {"x": "language or 'R'"}})
    assert run.returncode != 0
    assert run.error_lines() == [
        backend.error_line(
            "stream 'courses': stream map 'courses': property 'x': expression \"language or 'R'\" names "
            "'language', which is not a property of the stream"
        )
    ]
    assert states(run) == []
    assert backend.tables() == set()
