"""Stream maps and flattening against singer-sdk's own mapper (PluginMapper) as the oracle.

The same config on the same SCHEMA and records must give the same streams,
schemas, key properties and records, whether the records are mapped one by
one (the targets) or as an Arrow table (the tap, vectorised where it can).
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import singer_sdk.testing
from singer_sdk.exceptions import MapExpressionError, StreamMapConfigError
from singer_sdk.mapper import PluginMapper

from singer_lite_core.errors import ConfigError, InputError
from singer_lite_core.stream_maps.columnar import Columns, evaluate_columnar
from singer_lite_core.stream_maps.flattening import Flattening
from singer_lite_core.stream_maps.settings import StreamMapSettings
from singer_lite_core.stream_maps.stream_mapper import MapFailed, StreamMapper
from tests.core.loader_doubles import MemoryLoader, run
from tests.support.singer_text import lines, record, schema_message, state

STREAMS = Path(singer_sdk.testing.__file__).parent / "target_test_streams"
SDK_FILES = sorted(
    p
    for p in STREAMS.glob("*.singer")
    if p.stem not in {"invalid_schema", "record_before_schema", "schema_no_properties"}
)

# Configs that apply to any stream, so that every shipped file is mapped by each.
GENERIC_CONFIGS: dict[str, dict[str, Any]] = {
    "alias by expression": {"stream_maps": {"*": {"__alias__": "__stream_name__ + '_v2'"}}},
    "filter and computed": {
        "stream_maps": {
            "*": {
                "__filter__": "record.get('id') != 2",
                "seen": "__original_stream_name__",
                "digest": "md5(json.dumps(record, sort_keys=True, default=str))",
                "answer": "config['answer'] * 2",
            }
        },
        "stream_map_config": {"answer": 21},
    },
    "only some streams, renamed": {"stream_maps": {"__else__": None, "test_users": {"__alias__": "people"}}},
    "a second stream from every one": {
        "stream_maps": {
            "copy_of_all": {"__source__": "*", "__else__": None, "__key_properties__": [], "n": "str(record.get('id'))"}
        }
    },
    "dropped stream": {"stream_maps": {"test_locations": None, "test_users": "__NULL__"}},
    "flattened one level": {"flattening_enabled": True, "flattening_max_depth": 1},
    "flattened three levels, with a map": {
        "flattening_enabled": True,
        "flattening_max_depth": 3,
        "stream_maps": {"*": {"extra": "'x'"}},
    },
}


def _mine(config: dict[str, Any]) -> StreamMapper:
    flattening = Flattening.from_settings(config.get("flattening_enabled", False), config.get("flattening_max_depth"))
    return StreamMapper(StreamMapSettings.from_config(config, flattening))


def _comparable(value: Any) -> Any:
    """JSON text compared by what it holds: the SDK escapes non-ASCII characters, this suite does not
    (and drops NUL characters from it, as from all text, which no database here stores)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return _comparable(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return value


def _messages(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _sdk_outputs(config: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
    mapper = PluginMapper(copy.deepcopy(config), logging.getLogger("sdk"))
    out: list[Any] = []
    for message in messages:
        if message["type"] == "SCHEMA":
            mapper.register_raw_stream_schema(message["stream"], message["schema"], message.get("key_properties"))
            for m in mapper.stream_maps[message["stream"]]:
                if type(m).__name__ != "RemoveRecordTransform":
                    out.append(("SCHEMA", m.stream_alias, m.transformed_schema, m.transformed_key_properties))
        elif message["type"] == "RECORD":
            for m in mapper.stream_maps[message["stream"]]:
                mapped = m.transform(copy.copy(message["record"]))
                if mapped is not None:
                    out.append(("RECORD", m.stream_alias, _comparable(mapped)))
    return out


def _my_outputs(config: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
    mapper = _mine(config)
    outputs: dict[str, Any] = {}
    out: list[Any] = []
    for message in messages:
        if message["type"] == "SCHEMA":
            outputs[message["stream"]] = mapper.outputs(
                message["stream"], message["schema"], message.get("key_properties")
            )
            for m in outputs[message["stream"]]:
                if not m.removed:
                    out.append(("SCHEMA", m.alias, m.schema, m.key_properties))
        elif message["type"] == "RECORD":
            for m in outputs[message["stream"]]:
                mapped = m.record(message["record"])
                if mapped is not None:
                    out.append(("RECORD", m.alias, _comparable(mapped)))
    return out


@pytest.mark.parametrize("config_name", GENERIC_CONFIGS)
@pytest.mark.parametrize("path", SDK_FILES, ids=lambda p: p.stem)
def test_sdk_target_streams_map_as_singer_sdk_maps_them(path: Path, config_name: str) -> None:
    config = GENERIC_CONFIGS[config_name]
    messages = _messages(path)
    try:
        expected = _sdk_outputs(config, messages)
    except (StreamMapConfigError, MapExpressionError, ValueError):
        with pytest.raises(ConfigError):
            _my_outputs(config, messages)
        return
    assert _my_outputs(config, messages) == expected


SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": ["string", "null"]},
        "fare": {"type": ["number", "null"]},
        "tip": {"type": ["number", "null"]},
        "lang": {"type": ["string", "null"]},
        "flag": {"type": ["boolean", "null"]},
        "picked_up": {"type": ["string", "null"], "format": "date-time"},
    },
}
ROWS: list[dict[str, Any]] = [
    {"id": 1, "name": "a", "fare": 2.5, "tip": 0.5, "lang": None, "flag": True, "picked_up": "2021-01-01T00:23:23Z"},
    {"id": 2, "name": None, "fare": 10.0, "tip": 0.0, "lang": "Python", "flag": None, "picked_up": None},
    {"id": 3, "name": "c", "fare": None, "tip": None, "lang": "", "flag": False, "picked_up": "2021-01-02T10:00:00Z"},
    {"id": 4, "name": "dd", "fare": 7.25, "tip": 1.0, "lang": "R", "flag": True, "picked_up": "2021-01-03T11:30:00Z"},
]
FILLERS: dict[str, Any] = {
    "name": "z",
    "fare": 1.0,
    "tip": 1.0,
    "lang": "SQL",
    "flag": False,
    "picked_up": "2021-01-09T00:00:00Z",
}
NO_NULLS = [{k: FILLERS[k] if v is None else v for k, v in r.items()} for r in ROWS]

# Expressions users write, each once vectorised (VECTORISED) or per record.
EXPRESSIONS = {
    "lang or 'R'": True,
    "programming": "lang or 'R'",
    "fare > 5": True,
    "lang == 'R'": True,
    "name != 'a'": True,
    "name == lang": True,
    "fare is None": True,
    "name is not None and id > 1": True,
    "id in (1, 3)": True,
    "id not in [2]": True,
    "not flag": True,
    "fare * 2 + tip": True,
    "fare - tip": True,
    "id / 2": True,
    "-id": True,
    "tip / fare if fare else 0": True,
    "name if id > 1 else None": True,
    "md5(name)": True,
    "sha256(str(id))": True,
    "int(fare)": True,
    "float(id)": True,
    "bool(lang)": True,
    "str(id) + '-' + name": True,
    "record['name'] == 'a'": True,
    "_['id'] >= 2": True,
    "config['rate'] * fare": True,
    "__stream_name__ + '_x'": True,
    "'constant'": True,
    "self": True,
    "name.upper()": False,
    "datetime.datetime.fromisoformat(picked_up[:19]).date().isoformat()": False,
    "picked_up[:10]": False,
    "json.dumps(record)": False,
    "fare // 2": False,
}


def _table_path_rows(config: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    [output] = _mine(config).outputs("trips", SCHEMA, ["id"])
    mapped = output.table(pa.Table.from_pylist(rows))
    return [] if mapped is None else mapped.to_pylist()


def _sdk_rows(config: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mapper = PluginMapper(copy.deepcopy(config), logging.getLogger("sdk"))
    mapper.register_raw_stream_schema("trips", SCHEMA, ["id"])
    [stream_map] = mapper.stream_maps["trips"]
    return [m for m in (stream_map.transform(dict(r)) for r in rows) if m is not None]


@pytest.mark.parametrize("rows", [ROWS, NO_NULLS], ids=["with nulls", "without nulls"])
@pytest.mark.parametrize("expression", [e if v is True or v is False else v for e, v in EXPRESSIONS.items()])
def test_a_computed_property_has_the_sdks_values_on_either_path(expression: str, rows: list[dict[str, Any]]) -> None:
    config = {"stream_maps": {"trips": {"computed": expression, "fare": "self"}}, "stream_map_config": {"rate": 3}}
    try:
        expected = _sdk_rows(config, rows)
    except Exception:  # noqa: BLE001 - the SDK fails on some row: so must both paths
        with pytest.raises(MapFailed):
            _table_path_rows(config, rows)
        return
    assert _table_path_rows(config, rows) == expected
    [output] = _mine(config).outputs("trips", SCHEMA, ["id"])
    assert [output.record(r) for r in rows] == expected


@pytest.mark.parametrize("expression", [e if v is True or v is False else v for e, v in EXPRESSIONS.items()])
def test_a_filter_keeps_the_sdks_rows_on_either_path(expression: str) -> None:
    config = {"stream_maps": {"trips": {"__filter__": expression}}, "stream_map_config": {"rate": 3}}
    try:
        expected = _sdk_rows(config, NO_NULLS)
    except Exception:  # noqa: BLE001
        with pytest.raises(MapFailed):
            _table_path_rows(config, NO_NULLS)
        return
    assert _table_path_rows(config, NO_NULLS) == expected


@pytest.mark.parametrize(("expression", "vectorised"), [(e, v) for e, v in EXPRESSIONS.items() if isinstance(v, bool)])
def test_which_expressions_are_vectorised(expression: str, vectorised: bool) -> None:
    config = {"stream_maps": {"trips": {"tip": expression}}, "stream_map_config": {"rate": 3}}
    [output] = _mine(config).outputs("trips", SCHEMA, ["id"])
    compiled = output.properties[0].columnar
    assert (compiled is not None) == vectorised
    if compiled is not None:
        assert output.context is not None
        # Without nulls, the whole batch is computed by Arrow (NotColumnar would send it row by row).
        evaluate_columnar(compiled, Columns(pa.Table.from_pylist(NO_NULLS), output.context, "tip"))


def test_the_schema_changes_as_the_sdk_changes_it() -> None:
    config = {
        "stream_maps": {
            "trips": {
                "__key_properties__": ["trip"],
                "trip": "id",
                "fare_cents": "int(fare * 100)",
                "when": "datetime.datetime.fromisoformat(picked_up[:19])",
                "day": "datetime.date.today()",
                "quoted": "'text'",
                "same_as_tip": "tip",
                "name": None,
                "lang": "lang or 'R'",
            }
        }
    }
    schema_message = {"type": "SCHEMA", "stream": "trips", "schema": SCHEMA, "key_properties": ["id"]}
    [expected] = _sdk_outputs(config, [schema_message])
    [output] = _mine(config).outputs("trips", SCHEMA, ["id"])
    assert ("SCHEMA", output.alias, output.schema, output.key_properties) == expected
    assert output.schema["properties"]["fare_cents"] == {"type": ["integer", "null"]}
    assert output.schema["properties"]["same_as_tip"] == {"type": ["number", "null"]}
    assert "name" not in output.schema["properties"]


@pytest.mark.parametrize(
    ("maps", "message"),
    [
        (
            {"trips": {"x": "fare +"}},
            "stream 'trips': stream map 'trips': property 'x': expression 'fare +' does not parse",
        ),
        (
            {"trips": {"x": "distance * 2"}},
            "stream 'trips': stream map 'trips': property 'x': expression 'distance * 2' names 'distance', "
            "which is not a property of the stream",
        ),
        (
            {"trips": {"__filter__": "id >"}},
            "stream 'trips': stream map 'trips': __filter__: expression 'id >' does not parse",
        ),
        ({"trips": {"id": None}}, "key property 'id' cannot be removed"),
        ({"trips": {"__key_properties__": ["nope"]}}, "key property 'nope' is not a property of the mapped stream"),
        ({"__else__": "keep"}, "'__else__' may only be null"),
        ({"__bogus__": None}, "option '__bogus__' is not expected"),
        ({"trips": "rename"}, "must map to an object or null"),
    ],
)
def test_a_bad_map_is_refused_before_any_record(maps: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _mine({"stream_maps": maps}).outputs("trips", SCHEMA, ["id"])
    assert message in str(raised.value)


def test_an_expression_failing_on_a_row_names_the_map_and_the_row() -> None:
    [output] = _mine({"stream_maps": {"trips": {"__filter__": "id > 1", "x": "fare / tip"}}}).outputs(
        "trips", SCHEMA, ["id"]
    )
    with pytest.raises(MapFailed) as raised:
        output.table(pa.Table.from_pylist(NO_NULLS[:1] + ROWS[1:]))
    # Row 1 (id 2) divides by a zero tip; the filter dropped row 0 first.
    assert raised.value.row == 1
    assert str(raised.value) == (
        "stream map 'trips': property 'x': expression 'fare / tip' failed: ZeroDivisionError: float division by zero"
    )


def test_flattening_names_and_keeps_json_as_the_sdk_does() -> None:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "info": {
                "type": ["object", "null"],
                "properties": {
                    "weather": {"type": "string"},
                    "deep": {"type": "object", "properties": {"x": {"type": "integer"}}},
                },
            },
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    record = {"id": 1, "info": {"weather": "sunny", "deep": {"x": 5}}, "tags": ["a", "é"]}
    config = {"flattening_enabled": True, "flattening_max_depth": 1}
    [output] = _mine(config).outputs("s", schema, ["id"])
    assert list(output.schema["properties"]) == ["id", "info__weather", "info__deep", "tags"]
    assert output.record(record) == {"id": 1, "info__weather": "sunny", "info__deep": '{"x":5}', "tags": '["a","é"]'}
    messages = [
        {"type": "SCHEMA", "stream": "s", "schema": schema, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "s", "record": record},
    ]
    assert _my_outputs(config, messages) == _sdk_outputs(config, messages)


def test_flattening_needs_a_depth() -> None:
    with pytest.raises(ConfigError, match="flattening_max_depth"):
        Flattening.from_settings(True, None)


def test_a_target_loads_mapped_records_with_their_input_lines() -> None:
    """Rows a filter keeps are not consecutive lines: each keeps its own line
    number, for _sdc_sequence and for any error further on."""
    loader = MemoryLoader()
    text = lines(
        schema_message("s", {"id": {"type": "integer"}, "n": {"type": ["integer", "null"]}}, ["id"]),
        *(record("s", {"id": i, "n": i}) for i in range(6)),
        state(1),
    )
    maps = StreamMapSettings({"s": {"__filter__": "id % 2 == 1", "__alias__": "odd"}})
    assert run(loader, text, stream_maps=maps) == [1]
    [batch] = loader.batches
    assert batch.schema.stream == "odd"
    assert batch.table.to_pylist() == [{"id": 1, "n": 1}, {"id": 3, "n": 3}, {"id": 5, "n": 5}]
    assert batch.lines.tolist() == [3, 5, 7]
    bad = text.replace('{"id": 5, "n": 5}', '{"id": 5, "n": "five"}')
    with pytest.raises(InputError, match=r"^stream 'odd': line 7: column 'n'"):
        run(MemoryLoader(), bad, stream_maps=maps)


def test_equality_stays_vectorised_over_nulls_as_python_compares_none() -> None:
    config = {"stream_maps": {"trips": {"tip": "lang == 'R'", "fare": "name != lang"}}}
    [output] = _mine(config).outputs("trips", SCHEMA, ["id"])
    assert output.context is not None
    table = pa.Table.from_pylist(ROWS)
    values = [
        evaluate_columnar(c.columnar, Columns(table, output.context, c.name)).to_pylist()  # type: ignore[arg-type]
        for c in output.properties
    ]
    assert values == [[False, False, False, True], [True, True, True, True]]
    assert values == [[r[c.name] for r in _sdk_rows(config, ROWS)] for c in output.properties]


def test_a_record_with_no_property_left_is_dropped_as_singer_sdk_drops_it() -> None:
    config = {"stream_maps": {"trips": {"__else__": None, "__key_properties__": None}}}
    [output] = _mine(config).outputs("trips", SCHEMA, ["id"])
    assert _table_path_rows(config, ROWS) == _sdk_rows(config, ROWS) == []
    assert [output.record(r) for r in ROWS] == [None] * len(ROWS)
