"""ACTIVATE_VERSION: a full-table replace that never deletes before the new version is in."""

from __future__ import annotations

from tests.target_postgres.conftest import Target, lines, record, schema_message

PROPS = {"id": {"type": "integer"}, "v": {"type": "string"}}


def version_sync(version: int, ids: list[int]) -> str:
    activate = {"type": "ACTIVATE_VERSION", "stream": "t", "version": version}
    return lines(
        schema_message("t", PROPS, ["id"]),
        *(record("t", {"id": i, "v": f"v{version}"}, version=version) for i in ids),
        activate,
    )


def test_soft_delete_marks_rows_missing_from_the_new_version(target: Target) -> None:
    assert target.run(version_sync(1, [1, 2, 3])).returncode == 0
    run = target.run(version_sync(2, [2, 3]))
    assert run.returncode == 0, run.stderr
    rows = target.query("SELECT id, v, _sdc_table_version, _sdc_deleted_at IS NOT NULL FROM t ORDER BY id")
    assert rows == [(1, "v1", 1, True), (2, "v2", 2, False), (3, "v2", 2, False)]


def test_hard_delete_removes_rows_missing_from_the_new_version(target: Target) -> None:
    assert target.run(version_sync(1, [1, 2, 3]), hard_delete=True).returncode == 0
    run = target.run(version_sync(2, [3, 4]), hard_delete=True)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT id, v FROM t ORDER BY id") == [(3, "v2"), (4, "v2")]


def test_failed_new_version_deletes_nothing(target: Target) -> None:
    assert target.run(version_sync(1, [1, 2]), hard_delete=True).returncode == 0
    broken = version_sync(2, [3]).replace('"id": 3', '"id": "x"')
    run = target.run(broken, hard_delete=True)
    assert run.returncode != 0
    assert target.query("SELECT id FROM t ORDER BY id") == [(1,), (2,)]


def test_activate_version_before_schema_is_refused(target: Target) -> None:
    run = target.run(lines({"type": "ACTIVATE_VERSION", "stream": "t", "version": 1}))
    assert run.returncode != 0
    assert run.error_lines() == [
        "target-postgres-lite: error: stream 't': line 1: ACTIVATE_VERSION before the stream's SCHEMA"
    ]
