"""A seeded, realistic yellow-taxi Singer stream and the same rows as CSV.

The target and the native \\copy baseline must load identical rows, so both
files are written from the same generated columns. Files are cached under
bench/out/ by row count, seed and schema, since generating 1M rows takes seconds.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

STREAM = "yellow_trips"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "yellow_trips.json"
OUT = Path(__file__).resolve().parent / "out"
FIELDS = [
    "source_file",
    "source_row",
    "VendorID",
    "tpep_pickup_datetime",
    "tpep_dropoff_datetime",
    "passenger_count",
    "trip_distance",
    "RatecodeID",
    "store_and_fwd_flag",
    "PULocationID",
    "DOLocationID",
    "payment_type",
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "improvement_surcharge",
    "total_amount",
    "congestion_surcharge",
    "airport_fee",
]


@dataclass(frozen=True)
class YellowFiles:
    rows: int
    columns: list[str]
    schema: dict[str, Any]
    key_properties: list[str]
    csv_path: Path
    records_path: Path

    def singer_path(self, keyed: bool) -> Path:
        return self.records_path.with_name(self.records_path.stem + ("-keyed" if keyed else "-unkeyed") + ".singer")

    def schema_line(self, keyed: bool) -> bytes:
        message = {
            "type": "SCHEMA",
            "stream": STREAM,
            "schema": self.schema,
            "key_properties": self.key_properties if keyed else [],
        }
        return orjson.dumps(message) + b"\n"


def stream_schema() -> tuple[dict[str, Any], list[str]]:
    """The stream's schema as the tap sends it (without its non-standard keys), and its key properties."""
    schema = json.loads(SCHEMA_FILE.read_text())
    keys = schema.pop("x-key-properties")
    schema.pop("$schema", None)
    return schema, keys


def _paths(rows: int, seed: int) -> YellowFiles:
    schema, keys = stream_schema()
    # Named by the schema too: files cached for an older schema lack its new columns.
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()[:8]
    stem = OUT / f"yellow-{rows}-{seed}-{digest}"
    return YellowFiles(
        rows, list(schema["properties"]), schema, keys, stem.with_suffix(".csv"), stem.with_suffix(".records")
    )


def yellow_files(rows: int, seed: int) -> YellowFiles:
    OUT.mkdir(parents=True, exist_ok=True)
    files = _paths(rows, seed)
    if not files.records_path.exists() or not files.csv_path.exists():
        # In a child process: the generated columns would otherwise stay in this
        # process, and every measured child forked from it would report them
        # in its peak memory.
        subprocess.run([sys.executable, "-m", "bench.pg_yellow_stream", str(rows), str(seed)], check=True)
    for keyed in (False, True):
        path = files.singer_path(keyed)
        if not path.exists():
            with path.open("wb") as out, files.records_path.open("rb") as records:
                out.write(files.schema_line(keyed))
                while chunk := records.read(16 << 20):
                    out.write(chunk)
                out.write(orjson.dumps({"type": "STATE", "value": {"bookmarks": {STREAM: {"rows": rows}}}}) + b"\n")
    return files


def _columns(rows: int, seed: int) -> dict[str, list[Any]]:
    import numpy as np  # noqa: PLC0415 - only the generating child process needs it

    rng = np.random.default_rng(seed)
    pickup = np.datetime64("2021-01-01T00:00:00") + rng.integers(0, 31 * 86400, rows).astype("timedelta64[s]")
    dropoff = pickup + rng.integers(60, 7200, rows).astype("timedelta64[s]")
    fare = np.round(rng.gamma(2.0, 7.0, rows), 2)
    tip = np.round(fare * rng.choice([0.0, 0.15, 0.2, 0.25], rows), 2)
    passengers = rng.integers(0, 7, rows).astype(object)
    passengers[rng.random(rows) < 0.03] = None
    airport = np.where(rng.random(rows) < 0.9, 0.0, 1.25).astype(object)
    airport[rng.random(rows) < 0.05] = None
    return {
        "source_file": ["yellow_tripdata_2021-01.parquet"] * rows,
        "source_row": list(range(rows)),
        "VendorID": rng.choice([1, 2], rows).tolist(),
        "tpep_pickup_datetime": [s + "Z" for s in np.datetime_as_string(pickup, unit="s").tolist()],
        "tpep_dropoff_datetime": [s + "Z" for s in np.datetime_as_string(dropoff, unit="s").tolist()],
        "passenger_count": passengers.tolist(),
        "trip_distance": np.round(rng.gamma(1.5, 2.0, rows), 2).tolist(),
        "RatecodeID": rng.choice([1, 1, 1, 2, 5], rows).tolist(),
        "store_and_fwd_flag": rng.choice(["N", "N", "N", "Y"], rows).tolist(),
        "PULocationID": rng.integers(1, 266, rows).tolist(),
        "DOLocationID": rng.integers(1, 266, rows).tolist(),
        "payment_type": rng.integers(0, 5, rows).tolist(),
        "fare_amount": fare.tolist(),
        "extra": rng.choice([0.0, 0.5, 1.0, 2.5], rows).tolist(),
        "mta_tax": [0.5] * rows,
        "tip_amount": tip.tolist(),
        "tolls_amount": np.where(rng.random(rows) < 0.05, 6.55, 0.0).tolist(),
        "improvement_surcharge": [0.3] * rows,
        "total_amount": np.round(fare + tip + 3.3, 2).tolist(),
        "congestion_surcharge": rng.choice([0.0, 2.5], rows).tolist(),
        "airport_fee": airport.tolist(),
    }


def _write(files: YellowFiles, seed: int) -> None:
    data = _columns(files.rows, seed)
    head = b'{"type":"RECORD","stream":"' + STREAM.encode() + b'","record":'
    with files.records_path.open("wb") as out:
        for values in zip(*(data[f] for f in FIELDS), strict=True):
            out.write(head + orjson.dumps(dict(zip(FIELDS, values, strict=True))) + b"}\n")
    with files.csv_path.open("w", newline="") as out:
        writer = csv.writer(out)
        for values in zip(*(data.get(c, [None] * files.rows) for c in files.columns), strict=True):
            writer.writerow(["" if v is None else orjson.dumps(v).decode().strip('"') for v in values])


if __name__ == "__main__":
    _write(_paths(int(sys.argv[1]), int(sys.argv[2])), int(sys.argv[2]))
