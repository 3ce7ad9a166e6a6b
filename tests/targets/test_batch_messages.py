"""BATCH messages as singer-sdk writes them: a real SDK tap's batch files load
as its RECORDs would, with STATE released only after their commit."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.backend import Backend
from tests.support.singer_process import run_connector
from tests.support.singer_text import lines, schema_message, state, states

TAP = Path(__file__).resolve().parents[1] / "fixtures" / "sdk_batch_tap.py"
EPOCH = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
ROWS = 7
FILE_ROWS = 3
ENCODINGS = {
    "jsonl": {"format": "jsonl", "compression": "gzip"},
    "parquet": {"format": "parquet", "compression": "gzip"},
}

TapRun = Callable[..., tuple[bytes, Path]]


@pytest.fixture(scope="module")
def sdk_tap(tmp_path_factory: pytest.TempPathFactory) -> TapRun:
    """Run the SDK tap with batch_config (or, for encoding "records", without)
    once per set of settings; its files are shared by the module's tests (a
    test that deletes them asks for its own run)."""
    runs: dict[str, tuple[bytes, Path]] = {}

    def run(encoding: str, fresh: bool = False, **settings: Any) -> tuple[bytes, Path]:
        key = json.dumps([encoding, settings], sort_keys=True)
        if key in runs and not fresh:
            return runs[key]
        root = tmp_path_factory.mktemp(f"batches-{encoding}")
        config = {"rows": ROWS, **settings}
        if encoding != "records":
            storage = {"root": root.as_uri()}
            config["batch_config"] = {"encoding": ENCODINGS[encoding], "storage": storage, "batch_size": FILE_ROWS}
        config_file = root / "tap-config.json"
        config_file.write_text(json.dumps(config))
        done = subprocess.run(
            [sys.executable, str(TAP), "--config", str(config_file)], check=True, capture_output=True, timeout=120
        )
        runs[key] = (done.stdout, root)
        return runs[key]

    return run


def batch_files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name != "tap-config.json")


def tap_states(output: bytes) -> list[Any]:
    return [m["value"] for m in map(json.loads, output.splitlines()) if m["type"] == "STATE"]


def bookmark(value: Any) -> str | None:
    result: str | None = value["bookmarks"].get("orders", {}).get("replication_key_value")
    return result


@pytest.mark.parametrize("encoding", ["jsonl", "parquet"])
def test_sdk_batches_land_exactly_as_the_same_taps_records(backend: Backend, sdk_tap: TapRun, encoding: str) -> None:
    """The SDK tap without batch_config sends the same rows as RECORDs: loaded
    beside the BATCH run's under other stream names, both tables are alike."""
    output, root = sdk_tap(encoding)
    assert b'"type":"BATCH"' in output
    assert b'"type":"RECORD"' not in output
    records, _ = sdk_tap("records")
    assert b'"type":"RECORD"' in records
    renamed = records.replace(b'"stream":"orders"', b'"stream":"r_orders"').replace(
        b'"stream":"events"', b'"stream":"r_events"'
    )
    run = backend.run(output + renamed, add_record_metadata=True)
    assert run.returncode == 0, run.stderr
    # Seven orders, the last one repeating the first one's key: it replaced it.
    assert backend.count("orders") == ROWS - 1
    columns = ["id", "amount", "quantity", "created_at", "note", "details"]
    rows = {row[0]: row for row in backend.rows("orders", columns, order_by="id")}
    assert rows[1] == (
        1,
        Decimal("1000000.075"),
        21,
        EPOCH + dt.timedelta(minutes=7),
        None,
        {"colour": "red", "size": 7},
    )
    assert rows[6][1:5] == (Decimal("1000000.065"), 18, EPOCH + dt.timedelta(minutes=6), "note 6")
    assert backend.rows("orders", ["shipped_at"], order_by="id")[0] == (EPOCH + dt.timedelta(days=1, minutes=7),)
    types = backend.column_types("orders")
    assert {c: types[c] for c in columns} == {
        "id": "integer",
        "amount": "decimal",
        "quantity": "integer",
        "created_at": "timestamp",
        "note": "string",
        "details": "json",
    }
    metadata = backend.rows("orders", ["_sdc_sequence", "_sdc_received_at", "_sdc_batched_at"])
    assert all(None not in row for row in metadata)
    assert backend.count("events") == ROWS
    assert sorted(w for (w,) in backend.rows("events", ["weight"])) == [Decimal(i) / 4 for i in range(ROWS)]
    for stream, order in (("orders", ["id"]), ("events", ["kind", "weight"])):
        types = backend.column_types(stream)
        assert backend.column_types(f"r_{stream}") == types
        data = [c for c in types if not c.startswith("_sdc_")]
        assert backend.rows(stream, data, order) == backend.rows(f"r_{stream}", data, order)
    # The files stay: they are the tap's.
    assert len(batch_files(root)) == 6


@pytest.mark.parametrize(("encoding", "bad_kind"), [("jsonl", "quantity"), ("parquet", "shipped_at")])
def test_bad_value_names_file_and_row_and_keeps_earlier_batches(
    backend: Backend, sdk_tap: TapRun, encoding: str, bad_kind: str
) -> None:
    # Row 5 is the second row of the orders' second file.
    output, root = sdk_tap(encoding, fresh=True, bad_row=5, bad_kind=bad_kind)
    run = backend.run(output, clean_up_batch_files=True)
    assert run.returncode != 0
    [error] = run.error_lines()
    manifest = [m for m in map(json.loads, output.splitlines()) if m["type"] == "BATCH" and m["stream"] == "orders"]
    second = manifest[1]["manifest"][0]
    assert error.startswith(backend.error_line("stream 'orders': line ")), error
    assert f"{second} row 2: column {bad_kind!r}: " in error, error
    assert "Traceback" not in run.stderr
    # The first file committed, and the STATE after it with it; nothing of the second.
    assert backend.count("orders") == FILE_ROWS
    assert [bookmark(s) for s in states(run) if bookmark(s)] == [(EPOCH + dt.timedelta(minutes=3)).isoformat()]
    # The first file's rows committed, so it went; the second failed, so it and the third stay.
    kept = [p.name for p in batch_files(root) if "orders" in p.name]
    assert kept == [m["manifest"][0].rsplit("/", 1)[1] for m in manifest[1:]]


def test_state_after_a_batch_waits_for_its_commit(backend: Backend, sdk_tap: TapRun) -> None:
    output, _ = sdk_tap("parquet")
    # A flush of ten thousand rows would hold RECORDs back; a BATCH's rows are
    # committed file by file, so each STATE after one is released in turn.
    run = backend.run(output, batch_size_rows=10_000)
    assert run.returncode == 0, run.stderr
    released = [bookmark(s) for s in states(run) if bookmark(s)]
    sent = [bookmark(s) for s in tap_states(output) if bookmark(s)]
    assert released == sent
    assert sent == [(EPOCH + dt.timedelta(minutes=m)).isoformat() for m in (3, 6, 7)]


@pytest.mark.parametrize(("encoding", "load_method"), [("jsonl", "upsert"), ("parquet", "overwrite")])
def test_clean_up_batch_files_deletes_them_after_commit(
    backend: Backend, sdk_tap: TapRun, encoding: str, load_method: str
) -> None:
    output, root = sdk_tap(encoding, fresh=True)
    run = backend.run(output, clean_up_batch_files=True, load_method=load_method)
    assert run.returncode == 0, run.stderr
    assert backend.count("orders") == ROWS - 1
    assert batch_files(root) == []


def test_about_declares_batch_input(backend: Backend) -> None:
    run = run_connector(backend.program, "--about", "--format", "json", singer_output=False)
    about = json.loads(run.stdout)
    assert "batch" in about["capabilities"]
    assert about["settings"]["properties"]["clean_up_batch_files"]["default"] is False


def batch_message(stream: str, files: list[Path], format: str = "parquet") -> dict[str, Any]:
    encoding = {"format": format, "compression": "gzip" if format == "jsonl" else "none"}
    return {"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": [p.as_uri() for p in files]}


def test_typed_parquet_columns_convert_exactly(backend: Backend, tmp_path: Path) -> None:
    """A parquet file written by another tool: timestamps with a zone, naive
    ones (UTC), exact decimals, integers, a nested list, and a field the
    SCHEMA does not declare, which gets a column."""
    new_york = pa.timestamp("us", "America/New_York")
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int32()),
            "at": pa.array([0, 1_700_000_000_123_456, None], new_york),
            "naive": pa.array([dt.datetime(2024, 1, 2, 3, 4, 5), None, None], pa.timestamp("ms")),
            "amount": pa.array([Decimal("12345678901234.1234567890"), Decimal("-0.5"), None], pa.decimal128(38, 10)),
            "day": pa.array([dt.date(2020, 2, 29), None, None], pa.date32()),
            "tags": pa.array([["a", "b"], [], None], pa.list_(pa.string())),
            "extra": pa.array([True, None, False]),
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    properties = {
        "id": {"type": "integer"},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "naive": {"type": ["string", "null"], "format": "date-time"},
        "amount": {"type": ["number", "null"]},
        "day": {"type": ["string", "null"], "format": "date"},
        "tags": {"type": ["array", "null"]},
    }
    data = lines(
        schema_message("t", properties, ["id"]),
        batch_message("t", [tmp_path / "typed.parquet"]),
        state({"done": True}),
    )
    run = backend.run(data)
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"done": True}]
    rows = backend.rows("t", ["id", "at", "naive", "amount", "day", "tags", "extra"], order_by="id")
    assert rows == [
        (
            1,
            dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            Decimal("12345678901234.123456789"),
            dt.date(2020, 2, 29),
            ["a", "b"],
            True,
        ),
        (2, dt.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=dt.UTC), None, Decimal("-0.5"), None, [], None),
        (3, None, None, None, None, None, False),
    ]
    assert backend.column_types("t")["extra"] == "boolean"


def test_jsonl_batch_widens_a_column_and_names_a_missing_key(backend: Backend, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json.gz", tmp_path / "bad.json.gz"
    good.write_bytes(gzip.compress(b'{"id": 1, "n": 5}\n{"id": 2, "n": 99999999999999999999999}\n'))
    bad.write_bytes(gzip.compress(b'{"id": 3, "n": 1}\n{"n": 2}\n'))
    schema = schema_message("t", {"id": {"type": "integer"}, "n": {"type": "integer"}}, ["id"])
    run = backend.run(lines(schema, batch_message("t", [good], "jsonl")))
    assert run.returncode == 0, run.stderr
    assert backend.rows("t", ["id", "n"], order_by="id") == [(1, 5), (2, 99999999999999999999999)]
    run = backend.run(lines(schema, batch_message("t", [bad], "jsonl")))
    assert run.error_lines() == [
        backend.error_line(f"stream 't': line 2: {bad.as_uri()} row 2: record has no value for key property 'id'")
    ]
    assert backend.count("t") == 2


def test_bad_batch_messages_are_one_line(backend: Backend, tmp_path: Path) -> None:
    schema = schema_message("t", {"id": {"type": "integer"}})
    missing = tmp_path / "missing.parquet"
    cases = {
        json.dumps(batch_message("t", [missing])): (
            f"stream 't': line 2: {missing.as_uri()}: cannot read the batch file: No such file or directory"
        ),
        json.dumps(batch_message("u", [missing])): "stream 'u': line 2: BATCH before the stream's SCHEMA",
    }
    for message, expected in cases.items():
        run = backend.run(lines(schema) + message + "\n")
        assert run.returncode != 0
        assert run.error_lines() == [backend.error_line(expected)]
    assert "t" not in backend.tables()
