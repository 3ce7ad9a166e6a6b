"""What every end-to-end test needs: sample months, connector configs, and a
way to say whether the tables a target loaded (through tests/support/backend.py,
whichever the database) equal the source files.

The oracle reads the trip files with pyarrow, independently of the tap's own
column mapping, and reduces rows to canonical Python values (int, float,
UTC ISO timestamps, str). Both sides are then summarised the same way
(`Fingerprint`): row count, distinct keys, exact decimal sums of the money
columns, min/max of every timestamp column, and a SHA-256 over all rows
sorted by key. Two equal fingerprints mean the same rows, no duplicates, no
gaps and the same values.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from tap_nyc_taxi.sample_data import trip_file_name, write_trip_file, write_zone_lookup
from tap_nyc_taxi.streams import TRIP_STREAMS, all_streams
from tests.support.backend import Backend
from tests.support.singer_process import write_json

TAXI_TYPES = tuple(TRIP_STREAMS)
MONTHS = ("2021-01", "2021-02", "2021-03")
NEXT_MONTH = "2021-04"
# 2,400 rows a month: with four trip families that is 28,800 trips per run, about what three families of
# 3,000 were, so the BigQuery crash tests keep their cost.
ROWS_PER_MONTH = 2_400
SEED = 2024
# A STATE every 1,000 rows and a commit every 4,000 records of a stream: several
# of each per run, so a failure can fall between any two of them (each commit is
# a MERGE job, which costs the BigQuery emulator about 0.3 s).
STATE_EVERY_ROWS = 1_000
BATCH_SIZE_ROWS = 4_000
ZONE_ROWS = 265

Row = tuple[Any, ...]


def write_months(
    directory: Path, months: Iterable[str], taxi_types: Sequence[str] = TAXI_TYPES, rows: int = ROWS_PER_MONTH
) -> None:
    """Trip files of `taxi_types` (every one unless told) for `months`, plus the zone lookup once."""
    directory.mkdir(parents=True, exist_ok=True)
    for month in months:
        for taxi_type in taxi_types:
            write_trip_file(directory, taxi_type, month, rows, SEED, row_group_size=STATE_EVERY_ROWS)
    if not (directory / "taxi_zone_lookup.csv").exists():
        write_zone_lookup(directory)


def trip_file(directory: Path, taxi_type: str, month: str) -> Path:
    return directory / trip_file_name(taxi_type, month)


def tap_config(data: Path, cache: Path) -> dict[str, Any]:
    return {
        "source": str(data),
        "taxi_types": list(TAXI_TYPES),
        "zone_lookup": str(data / "taxi_zone_lookup.csv"),
        "cache_dir": str(cache),
        "state_every_rows": STATE_EVERY_ROWS,
    }


def prepare_work(work: Path, data: Path, backend: Backend, batch_size_rows: int = BATCH_SIZE_ROWS) -> None:
    """A new working directory with tap.json (reading `data`) and target.json (loading into `backend`)."""
    work.mkdir()
    write_json(work / "tap.json", tap_config(data, work / "cache"))
    write_json(work / "target.json", target_config(backend, batch_size_rows))


def bookmarked_files(state: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    """Trip file name -> (rows_done, complete) in a tap STATE value."""
    return {
        name: (entry["rows_done"], entry["complete"])
        for stream in TRIP_STREAMS.values()
        for name, entry in state.get("bookmarks", {}).get(stream, {}).get("files", {}).items()
    }


def all_complete(
    months: Sequence[str], taxi_types: Sequence[str] = TAXI_TYPES, rows: int = ROWS_PER_MONTH
) -> dict[str, tuple[int, bool]]:
    """The bookmarks of a state that has every file of `months` (of `taxi_types`, `rows` each) fully loaded."""
    return {trip_file_name(t, m): (rows, True) for t in taxi_types for m in months}


# --- the oracle: canonical rows from the source files --------------------------------------------


def columns_of(stream: str) -> list[str]:
    return list(all_streams()[stream].schema["properties"])


def key_of(stream: str) -> tuple[str, ...]:
    return all_streams()[stream].key_properties


def _kinds(stream: str) -> Mapping[str, str]:
    return all_streams()[stream].column_types()


def canonical(kind: str, value: Any) -> Any:
    """One value as both sides can agree on it, whatever the driver returned."""
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        number = float(value)
        return None if math.isnan(number) else number
    if kind == "date-time":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    return str(value)


def canonical_rows(stream: str, rows: Iterable[Sequence[Any]]) -> list[Row]:
    """Rows given in `columns_of(stream)` order, canonicalised."""
    kinds = [_kinds(stream)[name] for name in columns_of(stream)]
    return [tuple(canonical(kind, value) for kind, value in zip(kinds, row, strict=True)) for row in rows]


def source_rows(data: Path, taxi_type: str, months: Iterable[str] | None = None) -> list[Row]:
    """Every row of the trip files of one taxi type, as the stream should carry it."""
    stream = TRIP_STREAMS[taxi_type]
    properties = columns_of(stream)
    paths = sorted(data.glob(f"{taxi_type}_tripdata_*.parquet"))
    if months is not None:
        paths = [trip_file(data, taxi_type, month) for month in months]
    rows: list[Sequence[Any]] = []
    for path in paths:
        table = pq.read_table(path)
        by_folded = {name.casefold(): name for name in table.column_names}
        records = table.to_pylist()
        for number, record in enumerate(records, start=1):
            lineage = {"source_file": path.name, "source_row": number}
            rows.append(
                [
                    lineage[name] if name in lineage else record.get(by_folded.get(name.casefold(), ""))
                    for name in properties
                ]
            )
    return canonical_rows(stream, rows)


# --- fingerprints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """Aggregates that differ whenever a row is missing, doubled or changed."""

    rows: int
    distinct_keys: int
    money_sums: dict[str, Decimal]
    time_bounds: dict[str, tuple[str | None, str | None]]
    digest: str


def fingerprint(stream: str, rows: Sequence[Row]) -> Fingerprint:
    columns = columns_of(stream)
    kinds = _kinds(stream)
    key_index = [columns.index(name) for name in key_of(stream)]
    money, sums, bounds = [], {}, {}
    for index, name in enumerate(columns):
        values = [row[index] for row in rows if row[index] is not None]
        if kinds[name] == "number":
            money.append(name)
            sums[name] = sum((Decimal(repr(v)) for v in values), Decimal(0))
        elif kinds[name] == "date-time":
            bounds[name] = (min(values, default=None), max(values, default=None))
    ordered = sorted(rows, key=lambda row: tuple(row[i] for i in key_index))
    digest = hashlib.sha256("\n".join(json.dumps(row) for row in ordered).encode()).hexdigest()
    distinct = len({tuple(row[i] for i in key_index) for row in rows})
    return Fingerprint(len(rows), distinct, sums, bounds, digest)


# --- what landed ---------------------------------------------------------------------------------


def target_config(backend: Backend, batch_size_rows: int = BATCH_SIZE_ROWS) -> dict[str, Any]:
    """The target's settings as a pipeline's user writes them, committing every `batch_size_rows`."""
    return backend.pipeline_config(batch_size_rows=batch_size_rows)


def landed_rows(backend: Backend, stream: str) -> list[Row]:
    """Canonical rows of the stream's table, in `columns_of(stream)` order."""
    return canonical_rows(stream, backend.rows(stream, columns_of(stream)))


def assert_equals_source(backend: Backend, data: Path, taxi_types: Sequence[str] = TAXI_TYPES) -> None:
    """Every trip table (of `taxi_types`) holds exactly the source files' rows, and the zones table all zones."""
    for taxi_type in taxi_types:
        stream = TRIP_STREAMS[taxi_type]
        landed = fingerprint(stream, landed_rows(backend, stream))
        assert landed == fingerprint(stream, source_rows(data, taxi_type)), f"{stream} differs from its source files"
    zones = fingerprint("taxi_zones", landed_rows(backend, "taxi_zones"))
    assert (zones.rows, zones.distinct_keys) == (ZONE_ROWS, ZONE_ROWS)
