"""Logging to stderr, because stdout belongs to the Singer stream.

The level and the format are chosen by singer-sdk's environment variables, so
what Meltano hands an SDK connector reaches these ones unchanged:

- the level is `<PROGRAM>_LOGLEVEL`, else `LOGLEVEL` (singer-sdk's names),
  else `LOG_LEVEL` (this suite's first name for it), else INFO;
- `SINGER_SDK_LOG_CONFIG` names a logging dictConfig file (JSON, or YAML when
  PyYAML is installed) applied over the default. Meltano writes one for every
  Singer plugin, and for a plugin that declares `structured-logging` it names
  singer-sdk's `StructuredFormatter`: that name (and `ConsoleFormatter`) means
  this module's formatter of the same name, since the SDK is not installed
  next to these connectors. The connectors' own loggers stay enabled whatever
  the file's `disable_existing_loggers` says: it is meant for other libraries.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from singer_lite_core.errors import ConfigError
from singer_lite_core.metrics import METRIC_MESSAGE, Point
from singer_lite_core.url_credentials import without_url_credentials

LOG_CONFIG_VARIABLE = "SINGER_SDK_LOG_CONFIG"
_CONSOLE_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"

# LogRecord attributes that are not the caller's `extra`: what singer-sdk's
# StructuredFormatter leaves out of its `extra` object.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def configure_logging(program: str) -> logging.Logger:
    """Send log lines to stderr at the level the environment names, formatted
    as SINGER_SDK_LOG_CONFIG says if it is set."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_level(program))
    config_path = os.environ.get(LOG_CONFIG_VARIABLE)
    if config_path:
        _apply_config_file(Path(config_path), program)
    return logging.getLogger(program)


class ConsoleFormatter(logging.Formatter):
    """The suite's plain line: time, logger, level, message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", _CONSOLE_FORMAT)
        super().__init__(**kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return without_url_credentials(super().format(record))


class StructuredFormatter(logging.Formatter):
    """One JSON object per line, with the fields of singer-sdk's StructuredFormatter
    (level, pid, logger_name, ts, thread_name, app_name, stream_name, message,
    extra; metric_info for a METRIC line, exception for a logged exception),
    which Meltano parses into its own structured log."""

    def __init__(self, app_name: str = "singer-lite", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._app_name = app_name

    def format(self, record: logging.LogRecord) -> str:
        extra = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
        line: dict[str, Any] = {
            "level": record.levelname.lower(),
            "pid": record.process,
            "logger_name": record.name,
            "ts": record.created,
            "thread_name": record.threadName,
            "app_name": extra.pop("app_name", self._app_name),
            "stream_name": extra.pop("stream_name", None),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, error = record.exc_info[0], record.exc_info[1]
            line["exception"] = {"type": kind.__name__, "module": kind.__module__, "message": str(error)}
        point = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if record.msg == METRIC_MESSAGE and isinstance(point, Point):
            line["message"] = "METRIC"
            line["metric_info"] = point.to_dict()
        else:
            line["message"] = record.getMessage()
        line["extra"] = extra
        return without_url_credentials(json.dumps(line, default=str, separators=(",", ":")))


def _level(program: str) -> int:
    prefix = program.upper().replace("-", "_")
    name = os.environ.get(f"{prefix}_LOGLEVEL") or os.environ.get("LOGLEVEL") or os.environ.get("LOG_LEVEL")
    level = logging.getLevelName((name or "INFO").upper())
    return level if isinstance(level, int) else logging.INFO


def _apply_config_file(path: Path, program: str) -> None:
    try:
        text = path.read_text()
    except FileNotFoundError:
        logging.getLogger(__name__).warning(
            "%s file %s does not exist; using the default logging", LOG_CONFIG_VARIABLE, path
        )
        return
    except OSError as error:
        raise ConfigError(f"{LOG_CONFIG_VARIABLE} file {path} cannot be read: {error.strerror}") from None
    config = _parsed(text, path)
    for formatter in (config.get("formatters") or {}).values():
        if isinstance(formatter, dict):
            _use_own_formatters(formatter, program)
    config["disable_existing_loggers"] = False
    try:
        logging.config.dictConfig(config)
    except (ValueError, TypeError, AttributeError, ImportError) as error:
        raise ConfigError(f"{LOG_CONFIG_VARIABLE} file {path} is not a usable logging config: {error}") from None


def _use_own_formatters(formatter: dict[str, Any], program: str) -> None:
    """Point a formatter that names singer-sdk's formatters at this module's."""
    factories: dict[str, Callable[..., logging.Formatter]] = {
        "singer_sdk.logging.StructuredFormatter": partial(StructuredFormatter, app_name=program),
        "singer_sdk.logging.ConsoleFormatter": ConsoleFormatter,
    }
    for key in ("()", "class"):
        factory = factories.get(formatter.get(key, ""))
        if factory is not None:
            formatter.pop(key)
            formatter["()"] = factory


def _parsed(text: str, path: Path) -> dict[str, Any]:
    """JSON (what Meltano writes), or YAML (what singer-sdk's docs show) when PyYAML is installed."""
    try:
        config = json.loads(text)
    except json.JSONDecodeError:
        config = _yaml(text, path)
    if not isinstance(config, dict):
        raise ConfigError(f"{LOG_CONFIG_VARIABLE} file {path} must hold a logging dictConfig object")
    return config


def _yaml(text: str, path: Path) -> Any:
    try:
        import yaml  # noqa: PLC0415 - optional: only a YAML logging config needs it
    except ImportError:
        raise ConfigError(f"{LOG_CONFIG_VARIABLE} file {path} is not JSON (YAML needs PyYAML installed)") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{LOG_CONFIG_VARIABLE} file {path} is neither JSON nor YAML: {error}") from None
