"""Capability sets of the two kinds of database, and an in-memory Loader, for
testing the core without a database."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from singer_lite_core.target_driver.evolution import evolved_type
from singer_lite_core.target_driver.loader import Batch
from singer_lite_core.target_driver.logical_types import LogicalType
from singer_lite_core.target_driver.messages import read_messages
from singer_lite_core.target_driver.runner import TargetRunner
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from singer_lite_core.target_driver.target_settings import TargetSettings
from target_bigquery_lite.loader import CAPABILITIES as BIGQUERY_CAPABILITIES
from target_postgres_lite.loader import CAPABILITIES as POSTGRES_CAPABILITIES

# The kinds of database: decimals of any number of digits fed CSV text, or
# typed values (PostgreSQL's binary COPY, as its loader declares); and a
# fixed-point decimal with a wider one beyond, fed typed files (BigQuery's).
ANY_PRECISION_TEXT = replace(POSTGRES_CAPABILITIES, preferred_batch_format="csv")
ANY_PRECISION_TYPED = replace(POSTGRES_CAPABILITIES, preferred_batch_format="parquet")
FIXED_POINT = BIGQUERY_CAPABILITIES

SETTINGS = TargetSettings(
    load_method=None,
    batch_size_rows=50_000,
    batch_size_bytes=16 << 20,
    batch_wait_seconds=60,
    add_record_metadata=False,
    hard_delete=False,
    validate_records=False,
    number_as_float=False,
    retry_attempts=2,
)


@dataclass
class MemoryLoader:
    """Tables as column types, batches as they arrive; `on_load`/`on_prepare`/
    `on_finish` may raise to play a database that refuses."""

    capabilities: LoaderCapabilities = FIXED_POINT
    tables: dict[str, dict[str, LogicalType]] = field(default_factory=dict)
    prepared: list[StreamSchema] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    widens: bool = True
    on_load: Callable[[Batch], None] | None = None
    on_prepare: Callable[[StreamSchema], None] | None = None
    on_finish: Callable[[str], None] | None = None

    def prepare(self, schema: StreamSchema, overwrite: bool) -> StreamSchema:
        if self.on_prepare is not None:
            self.on_prepare(schema)
        self.prepared.append(schema)
        table = self.tables.setdefault(schema.stream, {})
        for column in schema.columns:
            existing = table.get(column.name)
            if existing is None or self.widens:
                table[column.name] = evolved_type(existing, column.type)
        return schema.with_columns([Column(c.name, table[c.name]) for c in schema.columns])

    def load(self, batch: Batch) -> None:
        if self.on_load is not None:
            self.on_load(batch)
        self.batches.append(batch)

    def activate_version(self, schema: StreamSchema, version: int, hard_delete: bool) -> None:
        raise NotImplementedError

    def finish(self, stream: str) -> None:
        if self.on_finish is not None:
            self.on_finish(stream)
        self.finished.append(stream)

    def is_transient(self, error: BaseException) -> bool:
        return isinstance(error, ConnectionResetError)

    def close(self) -> None:
        pass


def run(loader: MemoryLoader, text: str, **settings: Any) -> list[Any]:
    """Run the core on Singer `text` into `loader`; the STATE values it emitted."""
    emitted: list[Any] = []
    TargetRunner(loader, replace(SETTINGS, **settings), emitted.append).run(read_messages(io.BytesIO(text.encode())))
    return emitted
