"""Writing Singer messages to stdout.

RECORD lines arrive already encoded in bulk (see the tap's record encoder),
so this writer only frames SCHEMA, BATCH and STATE messages and keeps one buffered
binary stream, so that the order of everything written is the order sent.

A write is never torn by SIGTERM or SIGINT: their handlers only record the
request (stop_request.py), and a write they interrupt is completed
(whole_write.py) once the reader reads, or fails with BrokenPipeError if the
reader goes away instead.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

import orjson

from singer_lite_core.whole_write import write_whole


class SingerWriter:
    def __init__(self, out: BinaryIO | None = None) -> None:
        self._out = out if out is not None else sys.stdout.buffer

    def schema(
        self,
        stream: str,
        schema: Mapping[str, Any],
        key_properties: Sequence[str],
        bookmark_properties: Sequence[str] = (),
    ) -> None:
        message: dict[str, Any] = {
            "type": "SCHEMA",
            "stream": stream,
            "schema": schema,
            "key_properties": list(key_properties),
        }
        if bookmark_properties:
            message["bookmark_properties"] = list(bookmark_properties)
        self._line(message)

    def record_lines(self, encoded: bytes | memoryview) -> None:
        """Write RECORD lines that were encoded in bulk, newline-terminated."""
        write_whole(self._out, encoded)

    def batch(self, stream: str, encoding: Mapping[str, str], manifest: Sequence[str]) -> None:
        """Announce batch files as singer-sdk does, and flush: the target can read them at once."""
        self._line({"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": list(manifest)})
        self._out.flush()

    def state(self, value: Mapping[str, Any]) -> None:
        """Write a STATE and flush, so the target sees it without delay."""
        self._line({"type": "STATE", "value": value})
        self._out.flush()

    def _line(self, message: Mapping[str, Any]) -> None:
        write_whole(self._out, orjson.dumps(message, option=orjson.OPT_APPEND_NEWLINE))
