"""Bad input and lost databases: one clear line, non-zero exit, nothing half-written."""

from __future__ import annotations

import json
import threading
import time

from tests.support.postgres_server import PostgresServer
from tests.target_postgres.conftest import Target, lines, record, schema_message, state, states

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}
ERROR = "target-postgres-lite: error: "


def test_malformed_json_names_the_line(target: Target) -> None:
    data = (
        lines(schema_message("t", PROPS, ["id"]), record("t", {"id": 1}))
        + '{"type": "RECORD", "stream": "t", "record": {"id": 2,\n'
    )
    run = target.run(data)
    assert run.returncode == 2
    [line] = run.error_lines()
    assert line.startswith(ERROR + "stream 't': line 3: malformed JSON")
    assert target.query("SELECT count(*) FROM t") == [(0,)]


def test_malformed_json_inside_a_large_block_names_the_line(target: Target) -> None:
    head = '{"type":"RECORD","stream":"t","record":'
    body = [head + json.dumps({"id": i, "name": "n"}, separators=(",", ":")) + "}\n" for i in range(50_000)]
    body[41_234] = head + '{"id": 41234, "name": "n}\n'
    run = target.run(lines(schema_message("t", PROPS, ["id"])) + "".join(body))
    assert run.returncode == 2
    [line] = run.error_lines()
    assert line.startswith(ERROR + "stream 't': line 41236: malformed JSON")
    assert target.query("SELECT count(*) FROM t") == [(0,)]


def test_not_a_singer_message(target: Target) -> None:
    run = target.run("[1, 2]\n")
    assert run.error_lines() == [ERROR + 'line 1: not a Singer message (a JSON object with a "type")']


def test_wrong_type_value_names_stream_line_and_column(target: Target) -> None:
    data = lines(
        schema_message("t", PROPS, ["id"]),
        record("t", {"id": 1, "name": "a"}),
        record("t", {"id": 2, "name": 5}),
        record("t", {"id": "x"}),
    )
    run = target.run(data)
    assert run.returncode == 2
    assert run.error_lines() == [ERROR + "stream 't': line 4: column 'id': expected an integer, got \"x\""]
    assert target.query("SELECT count(*) FROM t") == [(0,)]


def test_value_the_database_rejects_names_the_input_line(target: Target) -> None:
    ts = {"type": "string", "format": "date-time"}
    data = lines(
        schema_message("t", {"id": {"type": "integer"}, "at": ts}, ["id"]),
        record("t", {"id": 1, "at": "2021-01-01T00:00:00Z"}),
        record("t", {"id": 2, "at": "yesterday-ish"}),
    )
    run = target.run(data)
    assert run.returncode == 2
    [line] = run.error_lines()
    assert line.startswith(
        ERROR + "stream 't': line 3: column 'at': invalid input syntax for type timestamp with time zone"
    )
    assert target.query("SELECT count(*) FROM t") == [(0,)]


def test_record_not_matching_schema_when_validating(target: Target) -> None:
    props = {"id": {"type": "integer"}, "code": {"type": "string", "maxLength": 2}}
    data = lines(
        schema_message("t", props, ["id"]),
        record("t", {"id": 1, "code": "ok"}),
        record("t", {"id": 2, "code": "toolong"}),
    )
    assert target.run(data).returncode == 0
    run = target.run(data, validate_records=True)
    assert run.returncode == 2
    [line] = run.error_lines()
    assert line.startswith(ERROR + "stream 't': line 3: record does not match its schema at code:")


def test_unknown_message_type(target: Target) -> None:
    run = target.run(lines({"type": "BATCH", "stream": "t"}))
    assert run.error_lines() == [ERROR + "line 1: unsupported Singer message type 'BATCH'"]


def test_unreachable_database_fails_after_retries_without_state(target: Target, pg_server: PostgresServer) -> None:
    data = lines(schema_message("t", PROPS, ["id"]), record("t", {"id": 1}), state({"n": 1}))
    run = target.run(data, sqlalchemy_url="postgresql://nobody:hunter2secret@127.0.0.1:9/db", retry_attempts=2)
    assert run.returncode == 2
    assert run.stdout == b""
    [line] = run.error_lines()
    assert "stream 't': line 1" in line and "connection" in line.lower()
    assert "hunter2secret" not in run.stderr


def test_connection_killed_mid_load_is_retried(target: Target, pg_server: PostgresServer) -> None:
    """Every target backend is terminated once, while records are still arriving."""
    rows = [record("t", {"id": i, "name": "x" * 50}) for i in range(40_000)]
    data = lines(schema_message("t", PROPS, ["id"]), *rows[:20_000], state({"n": 1}), *rows[20_000:], state({"n": 2}))
    killed: list[int] = []

    def kill_once() -> None:
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            found = target.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'target-postgres-lite' AND state <> 'idle'"
            )
            killed.extend(1 for ok in found if ok[0])
            time.sleep(0.005)

    killer = threading.Thread(target=kill_once)
    killer.start()
    run = target.run(data, batch_size_rows=2_000)
    killer.join()
    assert run.returncode == 0, run.stderr
    assert killed, "the test never caught the target at work"
    assert "retrying" in run.stderr
    assert target.query("SELECT count(*), count(DISTINCT id) FROM t") == [(40_000, 40_000)]
    assert states(run)[-1] == {"n": 2}
