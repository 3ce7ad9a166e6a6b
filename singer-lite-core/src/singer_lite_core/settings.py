"""Declared settings, read from config files and environment variables.

Meltano hands settings over both as a JSON file and as <PLUGIN>_<SETTING>
environment variables; a cron user usually writes only the file. Declaring
every setting once (kind, default, secrecy) lets the same declaration drive
parsing, validation, `--about` and redaction.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from singer_lite_core.errors import ConfigError

Kind = Literal["string", "integer", "number", "boolean", "array", "object"]

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    description: str
    default: Any = None
    secret: bool = False
    required: bool = False
    choices: tuple[str, ...] = field(default_factory=tuple)


def load_config(
    paths: Iterable[str | Path],
    env_prefix: str,
    settings: Sequence[Setting],
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Merge config files in order, then environment variables over them.

    Values are checked against their declared kind so that a typo fails at
    start-up with the setting's name, not deep inside a sync.
    """
    environ = os.environ if environ is None else environ
    declared = {s.name: s for s in settings}
    merged: dict[str, Any] = {}
    for path in paths:
        merged.update(_read_file(Path(path)))
    for setting in settings:
        raw = environ.get(f"{env_prefix}_{setting.name.upper()}")
        if raw is not None and raw != "":
            merged[setting.name] = _parse_env(setting, raw, env_prefix)
    for unknown in sorted(set(merged) - set(declared)):
        log.warning("ignoring unknown setting %r", unknown)
        merged.pop(unknown)
    config: dict[str, Any] = {}
    for setting in settings:
        value = merged.get(setting.name, setting.default)
        if value is None:
            if setting.required:
                raise ConfigError(f"setting {setting.name!r} is required: {setting.description}")
            config[setting.name] = None
            continue
        config[setting.name] = _checked(setting, value)
    return config


def redacted(config: Mapping[str, Any], settings: Sequence[Setting]) -> dict[str, Any]:
    """A copy of config safe to log: secret values replaced, presence kept."""
    secret = {s.name for s in settings if s.secret}
    return {k: ("********" if k in secret and v is not None else v) for k, v in config.items()}


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except orjson.JSONDecodeError as error:
        raise ConfigError(f"config file {path} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object")
    return data


def _parse_env(setting: Setting, raw: str, env_prefix: str) -> Any:
    variable = f"{env_prefix}_{setting.name.upper()}"
    if setting.kind == "string":
        return raw
    if setting.kind == "boolean":
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{variable} must be true or false")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if setting.kind == "array":
            return [part.strip() for part in raw.split(",") if part.strip()]
        what = "" if setting.secret else f", got {raw!r}"
        raise ConfigError(f"{variable} must be a JSON {setting.kind}{what}") from None
    return _nested(value) if setting.kind == "object" and isinstance(value, dict) else value


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    """An object setting as Meltano exports it, nested again.

    Meltano hands a plugin each object setting twice: nested in the config
    file, and in `<PLUGIN>_<SETTING>` as JSON whose inner levels are
    flattened to dotted keys ({"encoding.format": "parquet"}), which, as
    variables override files, would win. A dotted key whose value is a leaf
    is read as that path; a key holding an object (a stream named
    "public.users") is kept as it is.
    """
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if "." not in key or isinstance(value, dict):
            nested[key] = _nested(value) if isinstance(value, dict) else value
            continue
        *parents, leaf = key.split(".")
        level = nested
        for parent in parents:
            child = level.setdefault(parent, {})
            if not isinstance(child, dict):
                break
            level = child
        else:
            level[leaf] = value
            continue
        nested[key] = value
    return nested


def _checked(setting: Setting, value: Any) -> Any:
    expected = _PYTHON_TYPES[setting.kind]
    is_bool = isinstance(value, bool)
    if not isinstance(value, expected) or (is_bool and setting.kind in ("integer", "number")):
        shown = "a secret value" if setting.secret else repr(value)
        raise ConfigError(f"setting {setting.name!r} must be a {setting.kind}, got {shown}")
    if setting.choices:
        items = value if isinstance(value, list) else [value]
        wrong = [item for item in items if item not in setting.choices]
        if wrong:
            raise ConfigError(f"setting {setting.name!r} has {wrong[0]!r}; allowed: {', '.join(setting.choices)}")
    return value
