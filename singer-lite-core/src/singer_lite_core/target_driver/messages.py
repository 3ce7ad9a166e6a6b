"""Reading Singer messages: framing, line numbers, routing and spec checks.

Parsing every RECORD line into Python objects would cap a target far below
what the database can take. RECORD lines are therefore only framed here:
consecutive lines of one stream travel on as raw bytes, and the decoder
turns whole blocks into Arrow at once. Every other message is parsed and
checked, and everything carries its input line number for error messages.
"""

from __future__ import annotations

import fcntl
import functools
import io
import os
import re
import select
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import orjson
from numpy.lib.stride_tricks import sliding_window_view

from singer_lite_core.errors import InputError, where
from singer_lite_core.target_driver.json_values import JsonError, has_long_digit_run, loads

READ_SIZE = 4 << 20
QUIET_SECONDS = 0.01
# The largest pipe an unprivileged process may ask Linux for by default (/proc/sys/fs/pipe-max-size).
PIPE_SIZE = 1 << 20
_NEWLINE = ord("\n")
_RECORD_HEAD = re.compile(rb'\{\s*"type"\s*:\s*"RECORD"\s*,\s*"stream"\s*:\s*("(?:[^"\\]|\\.)*")\s*,')
_CONTROL_TYPES = ("SCHEMA", "STATE", "ACTIVATE_VERSION", "BATCH")
# singer-sdk's batch encodings (helpers/_batch.py); compression None means none.
BATCH_FORMATS = ("jsonl", "parquet")
BATCH_COMPRESSIONS = (None, "none", "gzip")


@dataclass(frozen=True)
class BatchFile:
    """One file of a BATCH message's manifest: where its rows are, for error
    lines, and, with the BATCH message's line and the file's place in the
    manifest, a name for its rows that is unique in the run. `version` is
    the message's table version, which its rows carry as a RECORD's would."""

    stream: str
    uri: str
    line: int
    index: int
    version: int | None = None

    def at(self, row: int | None = None, column: str | None = None) -> str:
        return where(self.stream, line=self.line, source=self.uri, row=row, column=column)


@dataclass(frozen=True)
class RecordLines:
    """Consecutive RECORD lines of one stream, newline-terminated, not yet parsed;
    or, with `file`, rows of a jsonl BATCH file: record bodies, numbered from
    `first_line` as rows of that file.

    `long_digits` tells whether a number may have more significant digits
    than a double keeps (json_values.has_long_digit_run), which decides
    whether decimals may be decoded as doubles; it is worked out when first
    asked, since only a database whose decimals travel as doubles asks.

    `line_numbers`, when given, numbers the lines one by one instead: the
    records stream maps kept of a run are not consecutive lines
    (mapped_records.py).
    """

    stream: str
    first_line: int
    data: bytes
    count: int
    file: BatchFile | None = None
    line_numbers: np.ndarray | None = None

    @functools.cached_property
    def long_digits(self) -> bool:
        return has_long_digit_run(self.data)

    def numbers(self) -> np.ndarray:
        """The input line (or file row) number of each record, in order."""
        if self.line_numbers is not None:
            return self.line_numbers
        return np.arange(self.first_line, self.first_line + self.count, dtype=np.int64)

    def at(self, number: int, column: str | None = None) -> str:
        """Where line (or file row) `number` of these records is, for an error line."""
        if self.file is not None:
            return self.file.at(number, column)
        return where(self.stream, line=number, column=column)


@dataclass(frozen=True)
class ControlMessage:
    """A parsed, checked SCHEMA, STATE, ACTIVATE_VERSION or BATCH message."""

    type: str
    line: int
    body: dict[str, Any]

    @property
    def stream(self) -> str:
        return str(self.body.get("stream"))


Message = RecordLines | ControlMessage


class TruncatedInput(InputError):
    """The input ends in a line that has no newline and is no whole message:
    its writer died in the middle of it. Every line before it is whole."""


def read_messages(source: BinaryIO) -> Iterator[Message]:
    """Yield messages in input order; RECORD runs may be split at chunk ends.

    Each chunk is framed up to its last newline; the partial line after it
    waits for the bytes that complete it. The input may end without a final
    newline if its last line is a whole message (many writers leave that
    newline out); if it is not, TruncatedInput says so after everything
    before it was yielded."""
    line_no = 0
    partial: list[bytes] = []
    _widen_pipe(source)
    newlines = _Newlines()
    while parts := _read_chunk(source):
        chunk, partial = _whole_lines(partial, parts)
        if chunk:
            ends = newlines.ends(chunk)
            yield from _split_chunk(chunk, ends, line_no)
            line_no += len(ends)
    if partial:
        yield from _last_line(b"".join(partial), line_no)


def _widen_pipe(source: BinaryIO) -> None:
    """Give a pipe on the input PIPE_SIZE bytes of room, where the system allows.

    A pipe holds 64 KiB by default, so a fast tap and this target take turns
    every 64 KiB, each turn two context switches and a wake-up on a busy
    machine; with a larger pipe each side works through longer stretches.
    Anything that is not a pipe, a pipe that is larger already, or a system
    that refuses, keeps its size."""
    try:
        descriptor = source.fileno()
        if fcntl.fcntl(descriptor, fcntl.F_GETPIPE_SZ) < PIPE_SIZE:
            fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (AttributeError, OSError, ValueError):
        pass


class _Newlines:
    """Finds the newlines of chunk after chunk, numpy a vector at a time
    (several times faster than bytes.count, which also holds the GIL that
    the decoding thread needs). The mask of a chunk's newline bytes goes to
    the same scratch array each time: a fresh one per chunk would cost a
    page fault per 4 KiB."""

    def __init__(self) -> None:
        self._mask = np.empty(0, dtype=np.bool_)

    def ends(self, chunk: bytes) -> np.ndarray:
        """The offset of each newline in `chunk`."""
        data = np.frombuffer(chunk, dtype=np.uint8)
        if len(self._mask) < len(data):
            self._mask = np.empty(len(data), dtype=np.bool_)
        mask = self._mask[: len(data)]
        np.equal(data, _NEWLINE, out=mask)
        return np.flatnonzero(mask)


def _read_chunk(source: BinaryIO) -> list[bytes]:
    """Up to READ_SIZE bytes in the pieces they came in, waiting only for
    the first ones; [] at the end of the input.

    read(n) on a pipe blocks until n bytes arrive, so a tap that sends a
    STATE and then waits would never see it confirmed. Bytes are taken as
    long as more come within QUIET_SECONDS, so a busy pipe still gives
    full-size chunks, which Arrow decodes much faster than small ones.

    The descriptor is read directly, not through the file object: a thread
    blocked in a buffered read holds the buffer's lock, and an interpreter
    that exits meanwhile (a target stopped by a signal while the tap is
    quiet) aborts for want of it.
    """
    try:
        descriptor = source.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        data = source.read(READ_SIZE)
        return [data] if data else []
    parts = [os.read(descriptor, READ_SIZE)]
    size = len(parts[0])
    while parts[-1] and size < READ_SIZE and select.select([descriptor], [], [], QUIET_SECONDS)[0]:
        parts.append(os.read(descriptor, READ_SIZE - size))
        size += len(parts[-1])
    return [part for part in parts if part]


def _whole_lines(partial: list[bytes], parts: list[bytes]) -> tuple[bytes, list[bytes]]:
    """The whole lines that `parts` complete after the `partial` line before
    them, as one bytes, and the pieces of the partial line after them. Only
    that partial line is copied apart, and a line longer than a chunk waits
    in pieces until it is whole."""
    for index in range(len(parts) - 1, -1, -1):
        part = parts[index]
        end = part.rfind(b"\n") + 1
        if end:
            head = part if end == len(part) else memoryview(part)[:end]
            rest = [part[end:]] if end < len(part) else []
            return b"".join([*partial, *parts[:index], head]), rest + parts[index + 1 :]
    return b"", partial + parts


def _last_line(line: bytes, line_no: int) -> Iterator[Message]:
    """Frame the input's last line, which has no newline, if it is whole: a
    Singer message is a JSON object, and no part of an object short of all
    of it parses, so a line that does not parse was cut."""
    if not line.strip():
        return
    number = line_no + 1
    try:
        loads(line)
    except JsonError:
        head = _RECORD_HEAD.match(line)
        at = where(_stream_name(head.group(1), number) if head else None, line=number)
        raise TruncatedInput(
            f"{at}: the input ends in the middle of this line: the tap was likely killed while writing it"
        ) from None
    yield from _split_chunk(line + b"\n", np.array([len(line)]), line_no)


def _split_chunk(chunk: bytes, ends: np.ndarray, line_no: int) -> Iterator[Message]:
    """Frame a chunk of whole lines ending at `ends`, taking the whole chunk at
    once when it is nothing but RECORD lines of one stream written alike (the
    common case)."""
    head = _RECORD_HEAD.match(chunk)
    if head is not None and _all_lines_start_with(chunk, ends, head.group(0)):
        yield RecordLines(_stream_name(head.group(1), line_no + 1), line_no + 1, chunk, len(ends))
        return
    yield from _split_lines(chunk, line_no)


def _all_lines_start_with(chunk: bytes, ends: np.ndarray, prefix: bytes) -> bool:
    """Whether every line after the first (which the caller matched) starts
    with `prefix`: the bytes after each newline but the last, taken as rows
    of a sliding window over the chunk and compared all at once."""
    if b"\n" in prefix:
        return False
    starts = ends[:-1] + 1
    if not len(starts):
        return True
    if int(starts[-1]) + len(prefix) > len(chunk):
        return False
    heads = sliding_window_view(np.frombuffer(chunk, dtype=np.uint8), len(prefix))[starts]
    return bool((heads == np.frombuffer(prefix, dtype=np.uint8)).all())


def _split_lines(chunk: bytes, line_no: int) -> Iterator[Message]:
    run_stream: str | None = None
    run_start = 0
    run_lines: list[bytes] = []
    for offset, line in enumerate(chunk.splitlines(keepends=True), start=line_no + 1):
        stream = _record_stream(line, offset)
        if stream is not None and stream == run_stream:
            run_lines.append(line)
            continue
        if run_stream is not None:
            yield RecordLines(run_stream, run_start, b"".join(run_lines), len(run_lines))
            run_stream = None
        if stream is not None:
            run_stream, run_start, run_lines = stream, offset, [line]
        elif line.strip():
            yield _control_message(line, offset)
    if run_stream is not None:
        yield RecordLines(run_stream, run_start, b"".join(run_lines), len(run_lines))


def _record_stream(line: bytes, line_no: int) -> str | None:
    """The stream of a RECORD line, or None for any other message."""
    head = _RECORD_HEAD.match(line)
    if head is not None:
        return _stream_name(head.group(1), line_no)
    if b'"RECORD"' not in line:
        return None
    message = parse_line(line, line_no)
    if message.get("type") != "RECORD":
        return None
    stream = message.get("stream")
    if not isinstance(stream, str) or not isinstance(message.get("record"), dict):
        raise InputError(f"{where(line=line_no)}: RECORD message needs a stream name and a record object")
    return stream


def _stream_name(quoted: bytes, line_no: int) -> str:
    try:
        return str(orjson.loads(quoted))
    except orjson.JSONDecodeError:
        raise InputError(f"{where(line=line_no)}: malformed stream name {quoted[:80]!r}") from None


def parse_line(line: bytes, line_no: int, stream: str | None = None) -> dict[str, Any]:
    """Parse one message line; errors name the line (and stream when known)."""
    at = where(stream or None, line=line_no)
    try:
        message = loads(line)
    except JsonError as error:
        raise InputError(f"{at}: malformed JSON: {error}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise InputError(f'{at}: not a Singer message (a JSON object with a "type")')
    return message


def _control_message(line: bytes, line_no: int) -> ControlMessage:
    message = parse_line(line, line_no)
    kind = message["type"]
    at = where(line=line_no)
    if kind not in _CONTROL_TYPES:
        raise InputError(f"{at}: unsupported Singer message type {kind!r}")
    if kind == "STATE":
        if "value" not in message:
            raise InputError(f"{at}: STATE message has no value")
        return ControlMessage(kind, line_no, message)
    if not isinstance(message.get("stream"), str):
        raise InputError(f"{at}: {kind} message has no stream name")
    if kind == "ACTIVATE_VERSION" and not isinstance(message.get("version"), int):
        raise InputError(f"{where(message['stream'], line=line_no)}: ACTIVATE_VERSION needs an integer version")
    if kind == "BATCH":
        _check_batch(message, line_no)
    return ControlMessage(kind, line_no, message)


def _check_batch(message: dict[str, Any], line_no: int) -> None:
    """A BATCH as singer-sdk writes it: an encoding this target reads and a
    manifest of file URIs."""
    at = where(message["stream"], line=line_no)
    encoding = message.get("encoding")
    if not isinstance(encoding, dict) or encoding.get("format") not in BATCH_FORMATS:
        raise InputError(f'{at}: BATCH needs an "encoding" whose "format" is jsonl or parquet')
    if encoding.get("compression") not in BATCH_COMPRESSIONS:
        raise InputError(f"{at}: BATCH compression {encoding.get('compression')!r} is not gzip or none")
    manifest = message.get("manifest")
    if not isinstance(manifest, list) or not all(isinstance(uri, str) and uri for uri in manifest):
        raise InputError(f'{at}: BATCH needs a "manifest" that lists file URIs')
    version = message.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InputError(f"{at}: BATCH version must be an integer")
