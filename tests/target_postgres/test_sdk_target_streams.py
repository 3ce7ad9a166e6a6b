"""Every file of singer-sdk's target test suite, checked by what landed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import singer_sdk.testing

from tests.target_postgres.conftest import Target, states

STREAMS = Path(singer_sdk.testing.__file__).parent / "target_test_streams"


def load(target: Target, name: str, **settings: object) -> object:
    return target.run((STREAMS / f"{name}.singer").read_bytes(), **settings)


def test_every_shipped_file_is_covered() -> None:
    shipped = {p.stem for p in STREAMS.glob("*.singer")}
    covered = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert shipped <= covered, shipped - covered


def test_array_data(target: Target) -> None:
    run = load(target, "array_data")
    assert run.returncode == 0, run.stderr
    assert target.column_types("test_array_data")["fruits"] == "jsonb"
    rows = target.query("SELECT id, fruits FROM test_array_data ORDER BY id")
    assert rows[0] == (1, ["apple", "orange", "pear"])
    assert len(rows) == 4
    assert states(run) == [{"test_array_data": 4}]


def test_camelcase(target: Target) -> None:
    run = load(target, "camelcase")
    assert run.returncode == 0, run.stderr
    assert target.query('SELECT "Id", "clientName" FROM "TestCamelcase" ORDER BY "Id"') == [
        ("1", "Gitter Windows Desktop App"),
        ("2", "Gitter iOS App"),
    ]
    assert target.primary_key("TestCamelcase") == ["Id"]
    assert states(run) == []


def test_camelcase_complex_schema(target: Target) -> None:
    run = load(target, "camelcase_complex_schema")
    assert run.returncode == 0, run.stderr
    types = target.column_types("ForecastingTypeToCategory")
    assert types["CreatedDate"] == "text"  # anyOf date-time | string: only text holds both
    assert types["DisplayPosition"] == "bigint"
    assert types["IsDeleted"] == "boolean"
    assert target.query('SELECT count(*) FROM "ForecastingTypeToCategory"') == [(0,)]


def test_duplicate_records(target: Target) -> None:
    run = load(target, "duplicate_records")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, metric FROM test_duplicate_records ORDER BY id") == [(1, 100), (2, 20)]


def test_encoded_string_data(target: Target) -> None:
    run = load(target, "encoded_string_data")
    assert run.returncode == 0, run.stderr
    strings = dict(target.query("SELECT id, info FROM test_strings"))
    assert strings[2] == "απλή συμβολοσειρά"
    assert strings[6] == 'various " \\ / \n escape sequences'
    assert strings[10] == "Double quoting: \\u0000 \\u0041 \\u0001"
    assert strings[11] == "Control Characters in string:  A \x01"  # NUL removed, the rest kept
    objects = dict(target.query("SELECT id, info FROM test_strings_in_objects"))
    assert objects[11] == {"name": "Control Characters in string", "value": " A \x01"}
    assert objects[10]["value"] == " \\u0000 \\u0041 \\u0001"
    arrays = dict(target.query("SELECT id, strings FROM test_strings_in_arrays"))
    assert arrays[1] == ["simple string", "απλή συμβολοσειρά", "简单的字串"]
    assert len(arrays) == 6 and len(strings) == 11 and len(objects) == 11


def test_invalid_schema(target: Target) -> None:
    run = load(target, "invalid_schema")
    assert run.returncode != 0
    assert run.error_lines() == [
        "target-postgres-lite: error: stream 'test_invalid_schema': line 1: "
        "SCHEMA has no properties, so no columns can be made"
    ]
    assert target.tables() == set()


def test_multiple_state_messages(target: Target) -> None:
    expected = [
        {"test_multiple_state_messages_a": 1, "test_multiple_state_messages_b": 0},
        {"test_multiple_state_messages_a": 2, "test_multiple_state_messages_b": 1},
        {"test_multiple_state_messages_a": 3, "test_multiple_state_messages_b": 2},
        {"test_multiple_state_messages_a": 5, "test_multiple_state_messages_b": 3},
        {"test_multiple_state_messages_a": 5, "test_multiple_state_messages_b": 6},
    ]
    run = load(target, "multiple_state_messages")
    assert run.returncode == 0, run.stderr
    emitted = states(run)
    assert emitted[-1] == expected[-1]
    assert all(s in expected for s in emitted)
    assert target.query("SELECT count(*) FROM test_multiple_state_messages_a") == [(6,)]
    assert target.query("SELECT count(*) FROM test_multiple_state_messages_b") == [(6,)]


def test_multiple_state_messages_one_record_batches(target: Target) -> None:
    run = load(target, "multiple_state_messages", batch_size_rows=1)
    assert run.returncode == 0, run.stderr
    emitted = states(run)
    assert emitted[-1] == {"test_multiple_state_messages_a": 5, "test_multiple_state_messages_b": 6}
    assert len(emitted) >= 3  # flushing every record releases checkpoints as they come


def test_no_primary_keys(target: Target) -> None:
    assert load(target, "no_primary_keys").returncode == 0
    assert target.query("SELECT id, metric FROM test_no_pk ORDER BY id") == [(1, 11), (2, 22), (3, 33)]


def test_no_primary_keys_append(target: Target) -> None:
    assert load(target, "no_primary_keys").returncode == 0
    run = load(target, "no_primary_keys_append")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT count(*), sum(metric) FROM test_no_pk") == [(8, 66 + 1515)]
    assert target.primary_key("test_no_pk") == []


def test_optional_attributes(target: Target) -> None:
    assert load(target, "optional_attributes").returncode == 0
    assert target.query("SELECT id, optional FROM test_optional_attributes ORDER BY id") == [
        (1, "This is optional"),
        (2, None),
        (3, "Also optional"),
        (4, None),
    ]


def test_pk_updates(target: Target) -> None:
    # key_properties sit inside the schema object here, so the stream has no key.
    run = load(target, "pk_updates")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, name, email FROM example_stream ORDER BY id") == [
        (1, "Alice", "alice@example.com"),
        (2, "Bob", "bob@example.com"),
    ]


def test_record_before_schema(target: Target) -> None:
    run = load(target, "record_before_schema")
    assert run.returncode != 0
    assert run.error_lines() == [
        "target-postgres-lite: error: stream 'test_record_before_schema': line 1: RECORD before the stream's SCHEMA"
    ]
    assert target.tables() == set()


def test_record_missing_fields(target: Target) -> None:
    run = load(target, "record_missing_fields")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, optional FROM record_missing_fields ORDER BY id") == [
        (1, "now you see me"),
        (2, None),
    ]
    assert states(run) == [{}]


def test_record_missing_key_property(target: Target) -> None:
    run = load(target, "record_missing_key_property")
    assert run.returncode != 0
    assert run.error_lines() == [
        "target-postgres-lite: error: stream 'test_record_missing_key_property': line 2: "
        "record has no value for key property 'id'"
    ]
    assert target.query("SELECT count(*) FROM test_record_missing_key_property") == [(0,)]


def test_record_missing_required_property(target: Target) -> None:
    run = load(target, "record_missing_required_property")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, metric FROM test_record_missing_required_property") == [(None, 3215)]


def test_record_missing_required_property_validated(target: Target) -> None:
    run = load(target, "record_missing_required_property", validate_records=True)
    assert run.returncode != 0
    [line] = run.error_lines()
    assert "stream 'test_record_missing_required_property': line 2: record does not match its schema" in line
    assert "'id' is a required property" in line


def test_schema_no_properties(target: Target) -> None:
    run = load(target, "schema_no_properties")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT object_store FROM test_object_schema_no_properties ORDER BY 1") == [
        ({"id": 1, "metric": 1},),
        ({"id": 2, "metric": 2},),
    ]
    assert target.query("SELECT count(*) FROM test_object_schema_with_properties") == [(2,)]


def test_schema_updates(target: Target) -> None:
    run = load(target, "schema_updates")
    assert run.returncode == 0, run.stderr
    types = target.column_types("test_schema_updates")
    assert types == {
        "id": "bigint",
        "a1": "numeric",
        "a2": "text",
        "a3": "boolean",
        "a4": "jsonb",
        "a5": "jsonb",
        "a6": "bigint",
    }
    rows = target.query("SELECT id, a1, a3, a4, a6 FROM test_schema_updates ORDER BY id")
    assert rows[0] == (1, Decimal(101), None, None, None)
    assert rows[5] == (6, Decimal(106), True, {"id": 4, "value": 444}, 341)
    assert states(run) == [{"test_schema_updates": 6}]


def test_special_chars_in_attributes(target: Target) -> None:
    run = load(target, "special_chars_in_attributes")
    assert run.returncode == 0, run.stderr
    rows = target.query('SELECT "_id", d FROM "test:SpecialChars!in?attributes"')
    assert rows == [("a2e98886", {"env": "prod", "agent:type": "desktop", "agent:os:version": "10.13.1"})]


def test_user_location_data(target: Target) -> None:
    run = load(target, "user_location_data")
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT count(*) FROM test_users") == [(5,)]
    assert target.query("SELECT info FROM test_user_in_location WHERE id = 3") == [
        ({"weather": "sunny", "mood": "happy"},)
    ]


def test_user_location_upsert_data(target: Target) -> None:
    assert load(target, "user_location_data").returncode == 0
    run = load(target, "user_location_upsert_data")
    assert run.returncode == 0, run.stderr
    users = dict(target.query("SELECT id, name FROM test_users"))
    assert users == {1: "Johny", 2: "George", 3: "Jacob", 4: "Josh", 5: "Jim", 8: "Thomas", 12: "Paul", 13: "Mary"}
    assert dict(target.query("SELECT id, name FROM test_locations")) == {
        1: "Philly",
        2: "NY",
        3: "San Francisco",
        6: "Colorado",
        8: "Boston",
    }
    assert json.loads(run.stdout.decode().splitlines()[-1]) == {
        "test_users": 13,
        "test_locations": 8,
        "test_user_in_location": 14,
    }
