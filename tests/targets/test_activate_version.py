"""ACTIVATE_VERSION: a full-table replace that never deletes before the new version is in."""

from __future__ import annotations

from tests.support.backend import Backend
from tests.support.singer_text import activate_version, lines, record, schema_message

PROPS = {"id": {"type": "integer"}, "v": {"type": "string"}}


def version_sync(version: int, ids: list[int]) -> str:
    return lines(
        schema_message("t", PROPS, ["id"]),
        *(record("t", {"id": i, "v": f"v{version}"}, version=version) for i in ids),
        activate_version("t", version),
    )


def versions_in_one_run(stream: str) -> str:
    return lines(
        schema_message(stream, {"id": {"type": "integer"}}),
        *[record(stream, {"id": i}, version=1) for i in (1, 2)],
        activate_version(stream, 1),
        record(stream, {"id": 1}, version=2),
        activate_version(stream, 2),
    )


def test_soft_delete_marks_rows_missing_from_the_new_version(backend: Backend) -> None:
    assert backend.run(version_sync(1, [1, 2, 3])).returncode == 0
    run = backend.run(version_sync(2, [2, 3]))
    assert run.returncode == 0, run.stderr
    rows = backend.rows("t", ["id", "v", "_sdc_table_version", "_sdc_deleted_at"], order_by="id")
    assert [(i, v, version, deleted is not None) for i, v, version, deleted in rows] == [
        (1, "v1", 1, True),
        (2, "v2", 2, False),
        (3, "v2", 2, False),
    ]


def test_hard_delete_removes_rows_missing_from_the_new_version(backend: Backend) -> None:
    assert backend.run(version_sync(1, [1, 2, 3]), hard_delete=True).returncode == 0
    run = backend.run(version_sync(2, [3, 4]), hard_delete=True)
    assert run.returncode == 0, run.stderr
    assert backend.rows("t", ["id", "v"], order_by="id") == [(3, "v2"), (4, "v2")]


def test_versions_within_one_run_soft_and_hard(backend: Backend) -> None:
    run = backend.run(versions_in_one_run("soft"))
    assert run.returncode == 0, run.stderr
    rows = backend.rows("soft", ["id", "_sdc_table_version", "_sdc_deleted_at"])
    assert sorted((i, v, d is not None) for i, v, d in rows) == [(1, 1, True), (1, 2, False), (2, 1, True)]
    hard = backend.run(versions_in_one_run("hard"), hard_delete=True)
    assert hard.returncode == 0, hard.stderr
    assert backend.rows("hard", ["id", "_sdc_table_version"]) == [(1, 2)]


def test_failed_new_version_deletes_nothing(backend: Backend) -> None:
    assert backend.run(version_sync(1, [1, 2]), hard_delete=True).returncode == 0
    broken = version_sync(2, [3]).replace('"id": 3', '"id": "x"')
    run = backend.run(broken, hard_delete=True)
    assert run.returncode != 0
    assert backend.rows("t", ["id"], order_by="id") == [(1,), (2,)]
