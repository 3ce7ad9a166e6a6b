"""Settings every target shares, declared once for parsing, `--about` and checks.

A database target adds only its connection settings; how records are
batched, when STATE is released and how rows are merged mean the same in
every target of the suite.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from singer_lite_core.errors import ConfigError
from singer_lite_core.settings import Setting
from singer_lite_core.stream_maps.flattening import Flattening
from singer_lite_core.stream_maps.settings import STREAM_MAP_SETTINGS, StreamMapSettings


class LoadMethod(enum.Enum):
    APPEND_ONLY = "append-only"
    UPSERT = "upsert"
    OVERWRITE = "overwrite"


class UndeclaredFields(enum.Enum):
    """What becomes of a record field its SCHEMA does not declare (one that
    JSON Schema allows, as additionalProperties is not false). Adding a
    column loses nothing; the other two are for users who want the SCHEMA
    to be the table's contract."""

    ADD_COLUMN = "add-column"
    DROP = "drop"
    FAIL = "fail"


COMMON_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "load_method",
        "string",
        "append-only, upsert or overwrite; unset means upsert for streams with key properties "
        "and append-only for the others",
        choices=tuple(m.value for m in LoadMethod),
    ),
    Setting("batch_size_rows", "integer", "Flush a stream once this many records are buffered.", 50_000),
    Setting(
        "batch_size_bytes",
        "integer",
        "Flush a stream once its buffered input reaches this many bytes; also caps the sum over "
        "all streams (the largest is flushed first), which bounds memory.",
        16 << 20,
    ),
    Setting("batch_wait_seconds", "number", "Flush every stream whose oldest buffered record is older than this.", 60),
    Setting(
        "add_record_metadata",
        "boolean",
        "Add _sdc_extracted_at, _sdc_received_at, _sdc_batched_at, _sdc_deleted_at, "
        "_sdc_sequence and _sdc_table_version columns.",
        False,
    ),
    Setting(
        "hard_delete",
        "boolean",
        "On ACTIVATE_VERSION delete rows of older versions instead of setting _sdc_deleted_at.",
        False,
    ),
    Setting(
        "validate_records",
        "boolean",
        "Check every record against its JSON Schema (slower); a mismatch stops the load.",
        False,
    ),
    Setting(
        "number_as_float",
        "boolean",
        "Store JSON Schema numbers as double precision instead of exact decimals; doubles also keep NaN and "
        "Infinity, which a database whose decimal type holds neither gets as NULL.",
        False,
    ),
    Setting(
        "undeclared_fields",
        "string",
        "A record field the stream's SCHEMA does not declare: add-column adds a column for it, typed from its "
        "values (JSON when they disagree), with a warning per stream and field; drop drops its values, with one "
        "warning per stream and field giving the count at the end of the run; fail stops the load. A schema "
        "whose additionalProperties is false refuses such a record whatever this says.",
        UndeclaredFields.ADD_COLUMN.value,
        choices=tuple(u.value for u in UndeclaredFields),
    ),
    Setting(
        "clean_up_batch_files",
        "boolean",
        "Delete each file a BATCH message lists once its rows are committed (for an overwrite stream, once "
        "the run's rows are swapped in). Off by default: the files are the tap's.",
        False,
    ),
    Setting(
        "retry_attempts", "integer", "Attempts for a load that fails on a transient connection error, with backoff.", 5
    ),
    *STREAM_MAP_SETTINGS,
    Setting(
        "flattening_enabled",
        "boolean",
        "singer-sdk schema flattening: nested object properties become parent__child columns, down to "
        "flattening_max_depth levels; arrays and deeper objects are kept as JSON text.",
        False,
    ),
    Setting("flattening_max_depth", "integer", "How many levels of nested objects flattening expands."),
)


@dataclass(frozen=True)
class TargetSettings:
    load_method: LoadMethod | None
    batch_size_rows: int
    batch_size_bytes: int
    batch_wait_seconds: float
    add_record_metadata: bool
    hard_delete: bool
    validate_records: bool
    number_as_float: bool
    retry_attempts: int
    undeclared_fields: UndeclaredFields = UndeclaredFields.ADD_COLUMN
    clean_up_batch_files: bool = False
    stream_maps: StreamMapSettings = field(default_factory=StreamMapSettings)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TargetSettings:
        for name in ("batch_size_rows", "batch_size_bytes", "retry_attempts"):
            if config[name] < 1:
                raise ConfigError(f"setting {name!r} must be at least 1")
        if config["batch_wait_seconds"] <= 0:
            raise ConfigError("setting 'batch_wait_seconds' must be positive")
        method = config["load_method"]
        return cls(
            load_method=LoadMethod(method) if method else None,
            batch_size_rows=config["batch_size_rows"],
            batch_size_bytes=config["batch_size_bytes"],
            batch_wait_seconds=float(config["batch_wait_seconds"]),
            add_record_metadata=config["add_record_metadata"],
            hard_delete=config["hard_delete"],
            validate_records=config["validate_records"],
            number_as_float=config["number_as_float"],
            retry_attempts=config["retry_attempts"],
            undeclared_fields=UndeclaredFields(config["undeclared_fields"]),
            clean_up_batch_files=config["clean_up_batch_files"],
            stream_maps=StreamMapSettings.from_config(
                config, Flattening.from_settings(config["flattening_enabled"], config["flattening_max_depth"])
            ),
        )

    def method_for(self, key_properties: tuple[str, ...]) -> LoadMethod:
        if self.load_method is not None:
            return self.load_method
        return LoadMethod.UPSERT if key_properties else LoadMethod.APPEND_ONLY
