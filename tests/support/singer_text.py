"""Singer input written as text, and STATE read back, for tests of any target.

Tests build their input from these few helpers so that every case reads as
the messages a tap would send, whichever back end loads them.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.singer_process import Run


def lines(*messages: dict[str, Any]) -> str:
    return "".join(json.dumps(m) + "\n" for m in messages)


def schema_message(stream: str, properties: dict[str, Any], keys: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": properties},
        "key_properties": keys or [],
    }


def record(stream: str, values: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": values, **envelope}


def raw_record(stream: str, record_text: str) -> str:
    """A RECORD line around record JSON as written, for numbers json.dumps cannot write (1e400, NaN)."""
    return f'{{"type": "RECORD", "stream": "{stream}", "record": {record_text}}}\n'


def state(value: Any) -> dict[str, Any]:
    return {"type": "STATE", "value": value}


def activate_version(stream: str, version: int) -> dict[str, Any]:
    return {"type": "ACTIVATE_VERSION", "stream": stream, "version": version}


def states(run: Run) -> list[Any]:
    """STATE values the target wrote: one JSON value per stdout line."""
    return [json.loads(line) for line in run.stdout.decode().splitlines() if line.strip()]
