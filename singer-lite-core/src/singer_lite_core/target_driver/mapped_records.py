"""Stream maps and flattening in a target: SCHEMAs and RECORD runs of a source stream become its mapped streams'.

This sits where messages enter the runner (RECORD runs, and the record
bodies of jsonl BATCH files, which arrive as RecordLines too), so the rest
of the target sees only mapped streams: their tables, keys, batching and
STATE bookkeeping are those of the streams the maps make. A record the maps
drop is never received, so no STATE waits for it. A stream that is not
mapped (nor flattened) passes through untouched, its lines never parsed.

Mapped records are parsed (exact big numbers kept), mapped one by one as
singer-sdk maps them, and written again as lines carrying their input line
numbers, so that errors further on name the right line. NaN and Infinity in a mapped record become null.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
import orjson

from singer_lite_core.errors import InputError
from singer_lite_core.stream_maps.settings import StreamMapSettings
from singer_lite_core.stream_maps.stream_mapper import MapFailed, MappedStream, StreamMapper
from singer_lite_core.target_driver.json_values import JsonError, loads
from singer_lite_core.target_driver.messages import ControlMessage, RecordLines

_ENVELOPE_KEYS = ("time_extracted", "version")


class MappedRecords:
    def __init__(self, settings: StreamMapSettings) -> None:
        self._mapper = StreamMapper(settings)
        self._outputs: dict[str, Sequence[MappedStream]] = {}

    def schemas(self, message: ControlMessage) -> list[ControlMessage]:
        """The SCHEMA of every stream the message's stream maps to (none when it is dropped)."""
        body = message.body
        schema = body.get("schema")
        if not isinstance(schema, dict):
            return [message]
        outputs = self._mapper.outputs(message.stream, schema, body.get("key_properties"))
        self._outputs[message.stream] = outputs
        return [
            ControlMessage(
                "SCHEMA",
                message.line,
                {
                    **body,
                    "stream": output.alias,
                    "schema": output.schema,
                    "key_properties": output.key_properties or [],
                },
            )
            for output in outputs
            if not output.removed
        ]

    def changes(self, stream: str) -> bool:
        """Whether the maps (or flattening) make anything but the stream itself of it."""
        outputs = self._outputs.get(stream)
        return outputs is not None and not (len(outputs) == 1 and outputs[0].is_identity and outputs[0].alias == stream)

    def stream_names(self, stream: str) -> list[str]:
        """The streams a source stream's other messages (ACTIVATE_VERSION, BATCH) go to."""
        outputs = self._outputs.get(stream)
        return [stream] if outputs is None else [o.alias for o in outputs if not o.removed]

    def records(self, lines: RecordLines) -> list[RecordLines]:
        outputs = self._outputs.get(lines.stream)
        if outputs is None:
            return [lines]
        if len(outputs) == 1 and outputs[0].is_identity:
            return [lines if outputs[0].alias == lines.stream else _renamed(lines, outputs[0].alias)]
        mapped_lines = {o.alias: _Mapped(lines, o.alias) for o in outputs if not o.removed}
        for number, line in zip(lines.numbers().tolist(), lines.data.splitlines(), strict=False):
            message, record = _parsed(lines, number, line)
            for output in outputs:
                try:
                    mapped = output.record(record)
                except MapFailed as error:
                    raise InputError(f"{lines.at(number)}: {error}") from None
                if mapped is not None:
                    mapped_lines[output.alias].add(number, _encoded(lines, output.alias, message, mapped))
        return [run for output_lines in mapped_lines.values() for run in output_lines.finished()]


class _Mapped:
    """One output stream's mapped lines of a run, with the input line number of each."""

    def __init__(self, source: RecordLines, alias: str) -> None:
        self._source, self._alias = source, alias
        self._lines: list[bytes] = []
        self._numbers: list[int] = []

    def add(self, number: int, encoded: bytes) -> None:
        self._lines.append(encoded)
        self._numbers.append(number)

    def finished(self) -> list[RecordLines]:
        if not self._lines:
            return []
        file = self._source.file
        return [
            RecordLines(
                self._alias,
                self._numbers[0],
                b"".join(self._lines),
                len(self._lines),
                file if file is None else replace(file, stream=self._alias),
                line_numbers=np.array(self._numbers, dtype=np.int64),
            )
        ]


def _renamed(lines: RecordLines, alias: str) -> RecordLines:
    """The same lines under an alias: a RECORD envelope names its stream, so it is written again."""
    if lines.file is not None:
        return replace(lines, stream=alias, file=replace(lines.file, stream=alias))
    encoded = []
    for number, line in zip(lines.numbers().tolist(), lines.data.splitlines(), strict=False):
        message, _ = _parsed(lines, number, line)
        encoded.append(_dumps({**message, "stream": alias}))
    return replace(lines, stream=alias, data=b"".join(encoded))


def _parsed(lines: RecordLines, number: int, line: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The line's message and its record (a jsonl BATCH line is the record itself)."""
    try:
        message = loads(line)
    except JsonError as error:
        raise InputError(f"{lines.at(number)}: not valid JSON: {error}") from None
    record = message if lines.file is not None else message.get("record") if isinstance(message, dict) else None
    if not isinstance(message, dict) or not isinstance(record, dict):
        raise InputError(f"{lines.at(number)}: RECORD message has no record object")
    return message, record


def _encoded(lines: RecordLines, alias: str, message: dict[str, Any], record: dict[str, Any]) -> bytes:
    if lines.file is not None:
        return _dumps(record)
    envelope: dict[str, Any] = {"type": "RECORD", "stream": alias, "record": record}
    envelope.update((key, message[key]) for key in _ENVELOPE_KEYS if key in message)
    return _dumps(envelope)


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_exact_number) + b"\n"


def _exact_number(value: Any) -> orjson.Fragment:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value) if value.is_finite() else "null")
    raise TypeError(f"{type(value).__name__} is not JSON")
