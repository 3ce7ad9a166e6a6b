"""Reading BATCH files: the URIs singer-sdk writes, jsonl in blocks of whole
lines numbered as file rows, parquet in bounded pieces, and one error line
naming the file."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver import batch_files
from singer_lite_core.target_driver.messages import BatchFile, ControlMessage, read_messages

LINES = b"".join(b'{"id": %d}\n' % i for i in range(1, 6))


def file_of(path: Path) -> BatchFile:
    return BatchFile("s", path.as_uri(), 7, 0)


def test_file_uris_name_local_paths_as_the_sdk_writes_them(tmp_path: Path) -> None:
    path = tmp_path / "tap--s-1=2.parquet.gz"
    assert path.as_uri().endswith("%3D2.parquet.gz")
    assert batch_files.local_path(path.as_uri()) == str(path)
    assert batch_files.local_path(str(path)) == str(path)
    assert batch_files.local_path("s3://bucket/x.parquet") is None


@pytest.mark.parametrize(("compressed", "declared"), [(False, "none"), (True, "gzip"), (True, "none"), (False, None)])
def test_jsonl_lines_are_numbered_as_file_rows(tmp_path: Path, compressed: bool, declared: str | None) -> None:
    path = tmp_path / "batch.json.gz"
    # The last line has no newline; it is still a row.
    data = LINES + b'{"id": 6}'
    path.write_bytes(gzip.compress(data) if compressed else data)
    pieces = list(batch_files.jsonl_pieces(file_of(path), declared))
    assert b"".join(p.data for p in pieces) == data + b"\n"
    assert [(p.first_line, p.count) for p in pieces] == [(1, 5), (6, 1)]
    assert all(p.file == file_of(path) for p in pieces)


def test_jsonl_blocks_hold_whole_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_files, "BLOCK_SIZE", 16)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(LINES)
    pieces = list(batch_files.jsonl_pieces(file_of(path), "none"))
    assert all(p.data.endswith(b"\n") and p.data.count(b"\n") == p.count for p in pieces)
    assert sum(p.count for p in pieces) == 5
    assert [p.first_line for p in pieces] == [1 + sum(q.count for q in pieces[:i]) for i in range(len(pieces))]


def test_bad_gzip_and_missing_files_are_one_line_naming_them(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(LINES)[:-12])
    with pytest.raises(InputError, match=rf"^stream 's': line 7: {bad.as_uri()}: the batch file is not valid gzip"):
        list(batch_files.jsonl_pieces(file_of(bad), "gzip"))
    missing = tmp_path / "missing.parquet"
    with pytest.raises(InputError) as error:
        list(batch_files.parquet_pieces(file_of(missing), 10))
    assert str(error.value) == (
        f"stream 's': line 7: {missing.as_uri()}: cannot read the batch file: No such file or directory"
    )
    not_parquet = tmp_path / "text.parquet"
    not_parquet.write_bytes(LINES)
    with pytest.raises(InputError, match="cannot read the parquet batch file"):
        list(batch_files.parquet_pieces(file_of(not_parquet), 10))


def test_parquet_pieces_are_bounded_and_say_when_they_are_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"id": range(25)}), path, row_group_size=10)
    pieces = list(batch_files.parquet_pieces(file_of(path), 8))
    assert [(p.first_row, p.table.num_rows) for p in pieces] == [(1, 8), (9, 8), (17, 8), (25, 1)]
    assert not any(p.whole_file for p in pieces)
    [whole] = batch_files.parquet_pieces(file_of(path), 100)
    assert whole.whole_file
    assert whole.table.column("id").to_pylist() == list(range(25))


def test_delete_removes_the_file_and_only_warns_when_it_cannot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "done.parquet"
    path.write_bytes(b"x")
    batch_files.delete(file_of(path))
    assert not path.exists()
    batch_files.delete(file_of(path))
    assert "could not delete the batch file" in caplog.text


def test_other_storage_roots_are_read_and_deleted_through_fsspec() -> None:
    fsspec = pytest.importorskip("fsspec")
    uri = "memory://batches/tap--s-1.json.gz"
    with fsspec.open(uri, "wb") as handle:
        handle.write(gzip.compress(LINES))
    remote = BatchFile("s", uri, 7, 0)
    assert sum(p.count for p in batch_files.jsonl_pieces(remote, "gzip")) == 5
    batch_files.delete(remote)
    assert not fsspec.filesystem("memory").exists("/batches/tap--s-1.json.gz")
    with pytest.raises(InputError, match=rf"^stream 's': line 7: {uri}: cannot read the batch file"):
        list(batch_files.jsonl_pieces(remote, "gzip"))


def test_batch_messages_are_framed_and_checked() -> None:
    good = (
        b'{"type":"BATCH","stream":"s","encoding":{"format":"jsonl","compression":"gzip"},"manifest":["file:///a"]}\n'
    )
    [message] = read_messages(io.BytesIO(good))
    assert isinstance(message, ControlMessage)
    assert (message.type, message.stream, message.body["manifest"]) == ("BATCH", "s", ["file:///a"])
    bad = {
        b'{"type":"BATCH","stream":"s","encoding":{"format":"avro"},"manifest":[]}': 'whose "format" is jsonl',
        b'{"type":"BATCH","stream":"s","encoding":{"format":"jsonl","compression":"zstd"},"manifest":[]}': (
            "BATCH compression 'zstd' is not gzip or none"
        ),
        b'{"type":"BATCH","stream":"s","encoding":{"format":"parquet"},"manifest":"file:///a"}': "lists file URIs",
        b'{"type":"BATCH","stream":"s","encoding":{"format":"parquet"},"manifest":[],"version":"1"}': (
            "BATCH version must be an integer"
        ),
    }
    for line, error in bad.items():
        with pytest.raises(InputError, match=f"^stream 's': line 1: .*{re.escape(error)}"):
            list(read_messages(io.BytesIO(line + b"\n")))
