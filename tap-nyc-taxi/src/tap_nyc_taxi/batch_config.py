"""The `batch_config` setting, as singer-sdk names it, checked once at start-up.

singer-sdk taps take `{"encoding": {"format", "compression"}, "storage":
{"root", "prefix", "params"}, "batch_size"}` and then write BATCH messages
instead of RECORDs. Reading the same object here lets Meltano projects turn
batch output on for this tap exactly as for any SDK tap. A mistake in it
(a format the targets cannot read, a root with no scheme fsspec knows) fails
before anything is read, naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

from singer_lite_core.errors import ConfigError

Format = Literal["jsonl", "parquet"]
Compression = Literal["gzip", "none"]

FORMATS: tuple[Format, ...] = ("jsonl", "parquet")
COMPRESSIONS: tuple[Compression, ...] = ("gzip", "none")
DEFAULT_BATCH_SIZE = 10_000
"""singer-sdk's default: rows per batch file when batch_size is not given."""

_KEYS = {"encoding", "storage", "batch_size"}


@dataclass(frozen=True)
class BatchConfig:
    format: Format
    compression: Compression
    root: str
    """A local directory (absolute) or a URL fsspec opens (s3://, gs://, ...)."""
    prefix: str
    batch_size: int
    params: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """fsspec storage options; they may hold credentials, so they are never shown."""

    @property
    def is_local(self) -> bool:
        return "://" not in self.root

    @property
    def encoding(self) -> dict[str, str]:
        """The BATCH message's `encoding`, compression always spelled out for the target."""
        return {"format": self.format, "compression": self.compression}


def read_batch_config(raw: Mapping[str, Any] | None) -> BatchConfig | None:
    """The checked setting, or None when batch output is off (not set, or an empty object)."""
    if not raw:
        return None
    _only_keys("batch_config", raw, _KEYS)
    encoding = _object(raw, "encoding")
    _only_keys("batch_config.encoding", encoding, {"format", "compression"})
    storage = _object(raw, "storage")
    _only_keys("batch_config.storage", storage, {"root", "prefix", "params"})
    batch_size = raw.get("batch_size")
    if batch_size is None:
        batch_size = DEFAULT_BATCH_SIZE
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"setting 'batch_config.batch_size' must be a number of rows, at least 1, got {batch_size!r}")
    prefix = storage.get("prefix") or ""
    if not isinstance(prefix, str) or prefix.startswith("/") or ".." in prefix.split("/"):
        raise ConfigError(f"setting 'batch_config.storage.prefix' must be a name under the root, got {prefix!r}")
    params = storage.get("params") or {}
    if not isinstance(params, dict):
        raise ConfigError("setting 'batch_config.storage.params' must be an object")
    return BatchConfig(
        format=_choice(encoding, "format", FORMATS, None),
        compression=_choice(encoding, "compression", COMPRESSIONS, "none"),
        root=_root(storage.get("root")),
        prefix=prefix,
        batch_size=batch_size,
        params=params,
    )


def _root(value: Any) -> str:
    """A local root as an absolute path (a relative one is the working directory's, as in the
    SDK); any other URL as it is, checked against fsspec's known protocols (s3fs and gcsfs are
    the tap's dependencies; others, such as adlfs, can be installed beside it)."""
    if not isinstance(value, str) or not value:
        raise ConfigError("setting 'batch_config.storage.root' is required: a directory, file:// or fsspec URL")
    parsed = urlparse(value)
    if parsed.scheme in ("", "file"):
        local = unquote(parsed.netloc + parsed.path) if parsed.scheme else value
        return str(Path(local).expanduser().resolve())
    from fsspec.registry import known_implementations  # noqa: PLC0415 (only a remote root needs fsspec)

    if parsed.scheme not in known_implementations:
        raise ConfigError(f"setting 'batch_config.storage.root': fsspec knows no scheme {parsed.scheme!r}")
    return value.rstrip("/")


def _object(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"setting 'batch_config.{key}' must be an object")
    return value


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str | None) -> Any:
    value = raw.get(key, default)
    if value not in allowed:
        raise ConfigError(f"setting 'batch_config.encoding.{key}' must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _only_keys(name: str, raw: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        listed = ", ".join(sorted(allowed))
        raise ConfigError(f"setting {name!r} has unknown key(s) {', '.join(unknown)}; allowed: {listed}")
