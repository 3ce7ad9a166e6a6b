"""The third-party fixture tap really speaks singer-python's dialect of Singer."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft7Validator, FormatChecker

from tests.support.fixture_tap import fixture_tap_output


def test_fixture_tap_emits_valid_singer_with_resumable_state(tmp_path: Path) -> None:
    messages = [json.loads(line) for line in fixture_tap_output(25).splitlines()]
    schema = messages[0]
    assert schema["type"] == "SCHEMA"
    assert schema["key_properties"] == ["user_id", "course_id"]
    validator = Draft7Validator(schema["schema"], format_checker=FormatChecker())
    records = [m["record"] for m in messages if m["type"] == "RECORD"]
    assert len(records) == 25
    assert all(validator.is_valid(r) for r in records)
    assert records[0]["rated_at"] == "2021-01-01T01:00:00.000000Z"
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    assert [s["bookmarks"]["fixture_ratings"]["last_row"] for s in states] == [10, 20, 25]
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(states[1]))
    resumed = [json.loads(line) for line in fixture_tap_output(25, state_file).splitlines()]
    assert [m["record"]["course_id"] for m in resumed if m["type"] == "RECORD"] == list(range(21, 26))
