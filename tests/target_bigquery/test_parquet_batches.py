"""Parquet BATCH files already in the table's load types go to the load job as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_text import lines, schema_message, state, states

AS_IS = "the batch file is loaded as it is"
MICROSECONDS_UTC = pa.timestamp("us", "UTC")
PROPERTIES = {
    "id": {"type": "integer"},
    "name": {"type": ["string", "null"]},
    "at": {"type": ["string", "null"], "format": "date-time"},
    "flag": {"type": ["boolean", "null"]},
}


def batch(stream: str, path: Path) -> dict[str, object]:
    encoding = {"format": "parquet", "compression": "none"}
    return {"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": [path.as_uri()]}


def written(path: Path, names: list[str | None], at: pa.DataType = MICROSECONDS_UTC) -> Path:
    pq.write_table(
        pa.table(
            {
                "id": pa.array(range(1, len(names) + 1), pa.int64()),
                "name": pa.array(names, pa.string()),
                "at": pa.array([dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)] * len(names), at),
                "flag": pa.array([True] * len(names)),
            }
        ),
        path,
    )
    return path


def test_a_file_in_the_tables_types_is_loaded_as_it_is(target: BigQueryBackend, tmp_path: Path) -> None:
    path = written(tmp_path / "exact.parquet", ["a", None, "c"])
    run = target.run(lines(schema_message("t", PROPERTIES), batch("t", path), state({"n": 1})))
    assert run.returncode == 0, run.stderr
    assert AS_IS in run.stderr
    assert states(run) == [{"n": 1}]
    assert target.rows("t", ["id", "name", "at", "flag"], order_by="id") == [
        (i, name, dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC), True)
        for i, name in zip((1, 2, 3), ["a", None, "c"], strict=True)
    ]


def test_other_files_are_converted(target: BigQueryBackend, tmp_path: Path) -> None:
    # Milliseconds are not the load type, a NUL is removed, and a repeated key
    # is deduplicated: each goes through the Arrow conversion instead.
    cases: list[tuple[Path, dict[str, Any], list[tuple[int, str]]]] = [
        (written(tmp_path / "ms.parquet", ["a"], pa.timestamp("ms", "UTC")), {}, [(1, "a")]),
        (written(tmp_path / "nul.parquet", ["a\x00b"]), {}, [(1, "ab")]),
        (written(tmp_path / "meta.parquet", ["a"]), {"add_record_metadata": True}, [(1, "a")]),
    ]
    for path, settings, expected in cases:
        run = target.run(lines(schema_message(path.stem, PROPERTIES, ["id"]), batch(path.stem, path)), **settings)
        assert run.returncode == 0, run.stderr
        assert AS_IS not in run.stderr, path
        assert target.rows(path.stem, ["id", "name"], order_by="id") == expected
    keyed = tmp_path / "keyed.parquet"
    pq.write_table(pa.table({"id": pa.array([1, 1], pa.int64()), "name": ["old", "new"]}), keyed)
    run = target.run(
        lines(schema_message("k", {"id": {"type": "integer"}, "name": {"type": "string"}}, ["id"]), batch("k", keyed))
    )
    assert run.returncode == 0, run.stderr
    assert AS_IS not in run.stderr
    assert target.rows("k", ["id", "name"]) == [(1, "new")]
