"""Bad input: one error line naming stream and input line, a non-zero exit,
nothing half-written, and no STATE past the last commit."""

from __future__ import annotations

import pytest

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message
from tests.targets.bad_input import SHARED_BAD_INPUT, BadInput, check_bad_input


@pytest.mark.parametrize("case", SHARED_BAD_INPUT, ids=str)
def test_bad_input(backend: Backend, case: BadInput) -> None:
    check_bad_input(backend, case)


def test_record_not_matching_schema_when_validating(backend: Backend) -> None:
    props = {"id": {"type": "integer"}, "code": {"type": "string", "maxLength": 2}}
    data = lines(
        schema_message("t", props, ["id"]),
        record("t", {"id": 1, "code": "ok"}),
        record("t", {"id": 2, "code": "toolong"}),
    )
    assert backend.run(data).returncode == 0
    run = backend.run(data, validate_records=True)
    assert run.returncode == 2
    [line] = run.error_lines()
    assert line.startswith(backend.error_line("stream 't': line 3: record does not match its schema at code:"))
