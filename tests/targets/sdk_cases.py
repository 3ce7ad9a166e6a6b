"""singer-sdk's target test streams, each with what must land: backend-neutral data.

A case names the shipped .singer files to feed in order (all but the last
must succeed), settings, and expectations in terms any backend can check:
rows (compared as sets), single values by key, row counts, column sums,
column types as the core's logical type names (all of the table's columns
when `every_column`), STATE lines, and the one error line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Rows:
    stream: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Value:
    """The value of `column` in the row whose `key_column` is `key`."""

    stream: str
    key_column: str
    key: Any
    column: str
    expected: Any


@dataclass(frozen=True)
class Case:
    name: str
    files: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    succeeds: bool = True
    rows: tuple[Rows, ...] = ()
    values: tuple[Value, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[tuple[str, str], int] = field(default_factory=dict)
    types: dict[str, dict[str, str]] = field(default_factory=dict)
    every_column: bool = False
    states: list[Any] | None = None
    last_state: Any = None
    states_within: list[Any] | None = None
    min_states: int = 0
    error: str | None = None
    error_contains: tuple[str, ...] = ()
    no_tables: bool = False

    def __str__(self) -> str:
        return self.name


_MULTIPLE_STATES = [
    {"test_multiple_state_messages_a": 1, "test_multiple_state_messages_b": 0},
    {"test_multiple_state_messages_a": 2, "test_multiple_state_messages_b": 1},
    {"test_multiple_state_messages_a": 3, "test_multiple_state_messages_b": 2},
    {"test_multiple_state_messages_a": 5, "test_multiple_state_messages_b": 3},
    {"test_multiple_state_messages_a": 5, "test_multiple_state_messages_b": 6},
]

SDK_CASES: tuple[Case, ...] = (
    Case(
        "array_data",
        ("array_data",),
        types={"test_array_data": {"fruits": "json"}},
        values=(Value("test_array_data", "id", 1, "fruits", ["apple", "orange", "pear"]),),
        counts={"test_array_data": 4},
        states=[{"test_array_data": 4}],
    ),
    Case(
        "camelcase",
        ("camelcase",),
        rows=(
            Rows("TestCamelcase", ("Id", "clientName"), (("1", "Gitter Windows Desktop App"), ("2", "Gitter iOS App"))),
        ),
        states=[],
    ),
    Case(
        "camelcase_complex_schema",
        ("camelcase_complex_schema",),
        # anyOf date-time | string: only a string column holds both
        types={
            "ForecastingTypeToCategory": {"CreatedDate": "string", "DisplayPosition": "integer", "IsDeleted": "boolean"}
        },
        counts={"ForecastingTypeToCategory": 0},
    ),
    Case(
        "duplicate_records",
        ("duplicate_records",),
        rows=(Rows("test_duplicate_records", ("id", "metric"), ((1, 100), (2, 20))),),
    ),
    Case(
        "encoded_string_data",
        ("encoded_string_data",),
        values=(
            Value("test_strings", "id", 2, "info", "απλή συμβολοσειρά"),
            Value("test_strings", "id", 6, "info", 'various " \\ / \n escape sequences'),
            Value("test_strings", "id", 10, "info", "Double quoting: \\u0000 \\u0041 \\u0001"),
            Value("test_strings", "id", 11, "info", "Control Characters in string:  A \x01"),  # NUL removed
            Value(
                "test_strings_in_objects",
                "id",
                11,
                "info",
                {"name": "Control Characters in string", "value": " A \x01"},
            ),
            Value("test_strings_in_arrays", "id", 1, "strings", ["simple string", "απλή συμβολοσειρά", "简单的字串"]),
        ),
        counts={"test_strings": 11, "test_strings_in_objects": 11, "test_strings_in_arrays": 6},
    ),
    Case(
        "invalid_schema",
        ("invalid_schema",),
        succeeds=False,
        no_tables=True,
        error="stream 'test_invalid_schema': line 1: SCHEMA has no properties, so no columns can be made",
    ),
    Case(
        "multiple_state_messages",
        ("multiple_state_messages",),
        states_within=_MULTIPLE_STATES,
        last_state=_MULTIPLE_STATES[-1],
        counts={"test_multiple_state_messages_a": 6, "test_multiple_state_messages_b": 6},
    ),
    Case(
        "multiple_state_messages_one_record_batches",
        ("multiple_state_messages",),
        {"batch_size_rows": 1},
        last_state=_MULTIPLE_STATES[-1],
        min_states=3,
    ),
    Case(
        "no_primary_keys",
        ("no_primary_keys",),
        rows=(Rows("test_no_pk", ("id", "metric"), ((1, 11), (2, 22), (3, 33))),),
    ),
    Case(
        "no_primary_keys_append",
        ("no_primary_keys", "no_primary_keys_append"),
        counts={"test_no_pk": 8},
        sums={("test_no_pk", "metric"): 66 + 1515},
    ),
    Case(
        "optional_attributes",
        ("optional_attributes",),
        rows=(
            Rows(
                "test_optional_attributes",
                ("id", "optional"),
                ((1, "This is optional"), (2, None), (3, "Also optional"), (4, None)),
            ),
        ),
    ),
    # key_properties sit inside the schema object here, so the stream has no key.
    Case(
        "pk_updates",
        ("pk_updates",),
        rows=(
            Rows(
                "example_stream",
                ("id", "name", "email"),
                ((1, "Alice", "alice@example.com"), (2, "Bob", "bob@example.com")),
            ),
        ),
    ),
    Case(
        "record_before_schema",
        ("record_before_schema",),
        succeeds=False,
        no_tables=True,
        error="stream 'test_record_before_schema': line 1: RECORD before the stream's SCHEMA",
    ),
    Case(
        "record_missing_fields",
        ("record_missing_fields",),
        rows=(Rows("record_missing_fields", ("id", "optional"), ((1, "now you see me"), (2, None))),),
        states=[{}],
    ),
    Case(
        "record_missing_key_property",
        ("record_missing_key_property",),
        succeeds=False,
        error="stream 'test_record_missing_key_property': line 2: record has no value for key property 'id'",
        no_tables=True,
    ),
    Case(
        "record_missing_required_property",
        ("record_missing_required_property",),
        rows=(Rows("test_record_missing_required_property", ("id", "metric"), ((None, 3215),)),),
    ),
    Case(
        "record_missing_required_property_validated",
        ("record_missing_required_property",),
        {"validate_records": True},
        succeeds=False,
        error_contains=(
            "stream 'test_record_missing_required_property': line 2: record does not match its schema",
            "'id' is a required property",
        ),
    ),
    Case(
        "schema_no_properties",
        ("schema_no_properties",),
        rows=(
            Rows(
                "test_object_schema_no_properties",
                ("object_store",),
                (({"id": 1, "metric": 1},), ({"id": 2, "metric": 2},)),
            ),
        ),
        counts={"test_object_schema_with_properties": 2},
    ),
    Case(
        "schema_updates",
        ("schema_updates",),
        types={
            "test_schema_updates": {
                "id": "integer",
                "a1": "decimal",
                "a2": "string",
                "a3": "boolean",
                "a4": "json",
                "a5": "json",
                "a6": "integer",
            }
        },
        every_column=True,
        values=(
            Value("test_schema_updates", "id", 1, "a1", Decimal(101)),
            Value("test_schema_updates", "id", 1, "a3", None),
            Value("test_schema_updates", "id", 1, "a4", None),
            Value("test_schema_updates", "id", 1, "a6", None),
            Value("test_schema_updates", "id", 6, "a1", Decimal(106)),
            Value("test_schema_updates", "id", 6, "a3", True),
            Value("test_schema_updates", "id", 6, "a4", {"id": 4, "value": 444}),
            Value("test_schema_updates", "id", 6, "a6", 341),
        ),
        states=[{"test_schema_updates": 6}],
    ),
    Case(
        "special_chars_in_attributes",
        ("special_chars_in_attributes",),
        rows=(
            Rows(
                "test:SpecialChars!in?attributes",
                ("_id", "d"),
                (("a2e98886", {"env": "prod", "agent:type": "desktop", "agent:os:version": "10.13.1"}),),
            ),
        ),
    ),
    Case(
        "user_location_data",
        ("user_location_data",),
        counts={"test_users": 5},
        values=(Value("test_user_in_location", "id", 3, "info", {"weather": "sunny", "mood": "happy"}),),
    ),
    Case(
        "user_location_upsert_data",
        ("user_location_data", "user_location_upsert_data"),
        rows=(
            Rows(
                "test_users",
                ("id", "name"),
                (
                    (1, "Johny"),
                    (2, "George"),
                    (3, "Jacob"),
                    (4, "Josh"),
                    (5, "Jim"),
                    (8, "Thomas"),
                    (12, "Paul"),
                    (13, "Mary"),
                ),
            ),
            Rows(
                "test_locations",
                ("id", "name"),
                ((1, "Philly"), (2, "NY"), (3, "San Francisco"), (6, "Colorado"), (8, "Boston")),
            ),
        ),
        last_state={"test_users": 13, "test_locations": 8, "test_user_in_location": 14},
    ),
)
