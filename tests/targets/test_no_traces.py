"""A refused run leaves no table it would have created; a good run leaves one
for every stream it was sent, even a stream without records."""

from __future__ import annotations

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message, state, states
from tests.targets.bad_input import BAD_TIMESTAMP, assert_one_error_line

TS = {"id": {"type": "integer"}, "ts": {"type": "string", "format": "date-time"}}
GOOD = "2021-01-01T00:00:00Z"


def test_a_run_refused_in_its_first_batch_leaves_no_table(backend: Backend) -> None:
    for method in ("upsert", "overwrite"):
        data = lines(
            schema_message("s", TS, ["id"]),
            record("s", {"id": 1, "ts": GOOD}),
            record("s", {"id": 2, "ts": BAD_TIMESTAMP}),
            state(1),
        )
        run = backend.run(data, load_method=method)
        assert run.returncode == 2, run.stderr
        assert_one_error_line(backend, run, "stream 's': line 3: column 'ts': {bad_timestamp}")
        assert states(run) == []
        assert backend.tables() == set()


def test_a_stream_prepared_but_never_written_leaves_no_table_when_the_run_fails(backend: Backend) -> None:
    data = lines(
        schema_message("a", TS, ["id"]),
        schema_message("b", TS, ["id"]),
        record("a", {"id": 1, "ts": GOOD}),
        record("a", {"id": 2, "ts": GOOD}),
        state(1),
        record("a", {"id": 3, "ts": BAD_TIMESTAMP}),
        state(2),
    )
    run = backend.run(data, batch_size_rows=2)
    assert run.returncode == 2, run.stderr
    assert_one_error_line(backend, run, "stream 'a': line 6: column 'ts': {bad_timestamp}")
    assert states(run) == [1]
    assert backend.tables() == {"a"}
    assert backend.rows("a", ["id"], order_by="id") == [(1,), (2,)]


def test_a_second_stream_refused_after_the_first_commits_leaves_only_the_first(backend: Backend) -> None:
    data = lines(
        schema_message("a", TS, ["id"]),
        record("a", {"id": 1, "ts": GOOD}),
        state(1),
        schema_message("b", TS, ["id"]),
        record("b", {"id": 1, "ts": BAD_TIMESTAMP}),
        state(2),
    )
    run = backend.run(data, batch_size_rows=1)
    assert run.returncode == 2, run.stderr
    assert_one_error_line(backend, run, "stream 'b': line 5: column 'ts': {bad_timestamp}")
    assert states(run) == [1]
    assert backend.tables() == {"a"}
    assert backend.count("a") == 1


def test_a_bad_schema_after_a_commit_leaves_only_the_committed_table(backend: Backend) -> None:
    data = lines(
        schema_message("a", TS, ["id"]),
        record("a", {"id": 1, "ts": GOOD}),
        state(1),
        schema_message("b", TS, ["nope"]),
    )
    run = backend.run(data, batch_size_rows=1)
    assert run.returncode == 2, run.stderr
    assert_one_error_line(
        backend, run, "stream 'b': line 4: key properties ['nope'] are not among the schema's properties"
    )
    assert states(run) == [1]
    assert backend.tables() == {"a"}


def test_a_stream_without_records_gets_its_table_in_a_good_run(backend: Backend) -> None:
    data = lines(
        schema_message("a", TS, ["id"]), schema_message("empty", TS, ["id"]), record("a", {"id": 1, "ts": GOOD})
    )
    run = backend.run(data)
    assert run.returncode == 0, run.stderr
    assert backend.tables() == {"a", "empty"}
    assert backend.count("empty") == 0
    assert backend.column_types("empty") == {"id": "integer", "ts": "timestamp"}
