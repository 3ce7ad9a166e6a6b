"""A parquet BATCH file's doubles and timestamps land exactly as the same
values sent as RECORDs do, value and scale, while travelling typed (Arrow
decimals and timestamps, never text) to binary COPY."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from singer_lite_core.target_driver.arrow_decode import RecordDecoder
from singer_lite_core.target_driver.decimal_columns import DecimalColumns
from singer_lite_core.target_driver.logical_types import LogicalType
from singer_lite_core.target_driver.messages import BatchFile
from singer_lite_core.target_driver.stream_schema import Column, StreamSchema
from target_postgres_lite import binary_copy
from target_postgres_lite.loader import CAPABILITIES
from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message

# Each group is one batch: the scale a RECORD batch lands at is the
# narrowest that keeps all of its values; what the RECORD path lands is spelt out.
TINY, HUGE = "0." + "0" * 323 + "5", "17976931348623157" + "0" * 292
GROUPS: list[tuple[list[float | None], list[str | None]]] = [
    ([12.5, 0.1, 7.08, None], ["12.50", "0.10", "7.08", None]),
    ([1e-7], ["0.000000100"]),
    ([123456789.123, 1.0, -0.0], ["123456789.123", "1.000", "0.000"]),
    ([3.0, -42.0, 1e15 - 1], ["3", "-42", "999999999999999"]),
    ([0.30000000000000004, 2.5], ["0.30000000000000004", "2.5"]),
    ([1e-10, 1.5], ["0.0000000001", "1.5"]),
    ([1e20, 5e-324, 1.7976931348623157e308], ["100000000000000000000", TINY, HUGE]),
    ([float("nan"), float("inf"), 1.25], ["NaN", "Infinity", "1.25"]),
]
AT = dt.datetime(2021, 1, 1, 0, 0, 0, 123456, tzinfo=dt.UTC)


def batch_message(stream: str, file: Path) -> dict[str, object]:
    encoding = {"format": "parquet", "compression": "none"}
    return {"type": "BATCH", "stream": stream, "encoding": encoding, "manifest": [file.as_uri()]}


def test_parquet_doubles_land_as_the_same_json_numbers_do(target: PostgresBackend, tmp_path: Path) -> None:
    properties = {"id": {"type": "integer"}, "n": {"type": ["number", "null"]}}
    messages: list[dict[str, object]] = []
    for group, (values, _) in enumerate(GROUPS):
        messages.append(schema_message(f"r{group}", properties, ["id"]))
        messages.extend(record(f"r{group}", {"id": i, "n": v}) for i, v in enumerate(values))
        file = tmp_path / f"b{group}.parquet"
        pq.write_table(pa.table({"id": range(len(values)), "n": pa.array(values, pa.float64())}), file)
        messages += [schema_message(f"b{group}", properties, ["id"]), batch_message(f"b{group}", file)]
    # lines() spells NaN and Infinity as the SDK's taps do.
    run = target.run(lines(*messages))
    assert run.returncode == 0, run.stderr
    for group, (_, landed) in enumerate(GROUPS):
        by_record = target.query(f"SELECT id, n::text FROM r{group} ORDER BY id")
        assert by_record == list(enumerate(landed))
        assert target.query(f"SELECT id, n::text FROM b{group} ORDER BY id") == by_record


def test_parquet_timestamps_land_typed(target: PostgresBackend, tmp_path: Path) -> None:
    """Naive (UTC) and zoned timestamps of every unit Arrow writes to parquet.
    In t2 a nanosecond (which goes as text, for the server to round) sends
    the whole batch as CSV, where the typed timestamps are written as text."""
    at_ns = pa.scalar(AT.replace(tzinfo=None), pa.timestamp("ns")).value
    for stream, extra_ns in (("t", 0), ("t2", 1)):
        stamps = {
            "us": pa.array([AT, None], pa.timestamp("us", "UTC")),
            "ms": pa.array([AT.replace(microsecond=123000), None], pa.timestamp("ms")),
            "ns": pa.array([at_ns + extra_ns, None], pa.timestamp("ns")),
            "ny": pa.array([AT, None], pa.timestamp("us", "America/New_York")),
        }
        file = tmp_path / f"{stream}.parquet"
        pq.write_table(pa.table({"id": [1, 2], **stamps}), file)
        props = {"id": {"type": "integer"}} | {c: {"type": ["string", "null"], "format": "date-time"} for c in stamps}
        run = target.run(lines(schema_message(stream, props, ["id"]), batch_message(stream, file)))
        assert run.returncode == 0, run.stderr
        assert target.query(f"SELECT us, ms, ns, ny FROM {stream} ORDER BY id") == [
            (AT, AT.replace(microsecond=123000), AT, AT),
            (None, None, None, None),
        ]


def test_typed_timestamps_are_validated_as_the_text_sent(target: PostgresBackend, tmp_path: Path) -> None:
    file = tmp_path / "v.parquet"
    pq.write_table(pa.table({"id": [1], "at": pa.array([AT], pa.timestamp("us", "UTC"))}), file)
    props = {"id": {"type": "integer"}, "at": {"type": "string", "format": "date-time", "pattern": "^2021-"}}
    run = target.run(lines(schema_message("v", props, ["id"]), batch_message("v", file)), validate_records=True)
    assert run.returncode == 0, run.stderr
    assert target.query("SELECT at FROM v") == [(AT,)]


def test_doubles_become_the_decimals_of_their_shortest_text() -> None:
    """Many doubles of every size, ten to a batch: each batch's decimals
    are exactly those of repr(), at the narrowest scale that the RECORD path
    gives the texts, or, past 9 decimal places, the texts themselves."""
    rng = random.Random(10)
    doubles: list[float | None] = [round(rng.uniform(-1e6, 1e6), rng.randrange(0, 10)) for _ in range(5_000)]
    doubles += [rng.uniform(-1, 1) * 10 ** rng.randrange(-12, 16) for _ in range(5_000)]
    doubles += [float(rng.randrange(-(10**15), 10**15)) / 10 ** rng.randrange(0, 10) for _ in range(5_000)]
    doubles += [0.1, None, -0.0, 5e-324, 1e15, 123.456, 9007199254740993.0, 0.30000000000000004, 1e-7]
    decimals = DecimalColumns(CAPABILITIES)
    typed = 0
    for start in range(0, len(doubles), 10):
        batch = doubles[start : start + 10]
        converted = decimals.from_arrow("n", LogicalType.DECIMAL, pa.array(batch, pa.float64()))
        assert converted is not None
        out, nulled = converted
        exact = [None if d is None else Decimal(repr(d)) for d in batch]
        places = max(decimal_places(d) for d in exact if d is not None)
        scale = next((s for s in (0, 1, 2, 3, 4, 6, 9) if s >= places), None)
        if scale is None or any(d is not None and abs(d) >= 10**29 for d in exact):
            assert out.type == pa.string()
            assert [None if t is None else Decimal(t) for t in out.to_pylist()] == exact
        else:
            assert out.type == pa.decimal128(29 + scale, scale)
            assert out.to_pylist() == exact
            typed += 1
        assert nulled == 0
    assert typed > len(doubles) / 20
    # A value past the first few that needs a wider scale.
    late = pa.array([1.25] * 100 + [0.125], pa.float64())
    assert decimals.from_arrow("n", LogicalType.DECIMAL, late) == (
        pa.array([Decimal("1.25")] * 100 + [Decimal("0.125")], pa.decimal128(32, 3)),
        0,
    )


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(-exponent, 0)


def test_a_parquet_piece_reaches_binary_copy_typed() -> None:
    """Neither the timestamps nor the doubles of a tap's file become text on the way."""
    properties = {"at": {"type": "string", "format": "date-time"}, "n": {"type": "number"}, "i": {"type": "integer"}}
    columns = (Column("at", LogicalType.TIMESTAMP), Column("n", LogicalType.DECIMAL), Column("i", LogicalType.INTEGER))
    decoder = RecordDecoder(StreamSchema("s", columns, (), {"properties": properties}), False, 0, CAPABILITIES)
    piece = pa.table({"at": pa.array([AT, None], pa.timestamp("us", "UTC")), "n": [12.5, None], "i": [1, 2]})
    now = dt.datetime.now(dt.UTC)
    table = decoder.decode_parquet(piece, BatchFile("s", "file:///b.parquet", 1, 0), 0, now, now).table
    assert table.schema.types == [pa.timestamp("us", "UTC"), pa.decimal128(30, 1), pa.int64()]
    natives = {"at": "timestamp with time zone", "n": "numeric", "i": "bigint"}
    assert binary_copy.prepared(table, natives, table.column_names) is not None
