"""A service that stays unavailable: retried, then one line naming stream, input
lines and cause, a non-zero exit, and no STATE past the last commit."""

from __future__ import annotations

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message, state

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def test_unreachable_service_fails_after_retries_with_one_line(backend: Backend) -> None:
    data = lines(schema_message("t", PROPS, ["id"]), record("t", {"id": 1}), state({"n": 1}))
    run = backend.run(data, retry_attempts=2, **backend.unreachable_settings())
    assert run.returncode == 2
    assert run.stdout == b""
    assert run.stderr.count("transient database error, retrying") == 1
    [line] = run.error_lines()
    assert line.startswith(backend.error_line("stream 't': line 1: database unavailable after 2 attempts: ")), line
    assert "connection" in line.lower()
    assert "internal error" not in line
