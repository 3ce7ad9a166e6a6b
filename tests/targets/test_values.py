"""Awkward values that must land intact, whatever the back end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.support.backend import Backend
from tests.support.singer_text import lines, record, schema_message

NULLABLE_NUMBER = {"type": ["number", "null"]}


def test_money_stays_exact(backend: Backend) -> None:
    values = [7.08, 12.38, 0.1, 1234567.89, -0.5, 0, 19.99]
    data = lines(
        schema_message("t", {"k": {"type": "integer"}, "m": NULLABLE_NUMBER}),
        *(record("t", {"k": k, "m": v}) for k, v in enumerate(values)),
    )
    assert backend.run(data).returncode == 0
    assert [m for (m,) in backend.rows("t", ["m"], order_by="k")] == [Decimal(str(v)) for v in values]


def test_sixteen_digit_numbers_take_the_exact_decimal_block_path(backend: Backend) -> None:
    body = "".join(
        f'{{"type":"RECORD","stream":"t","record":{{"k":{i},"m":{m}}}}}\n'
        for i, m in enumerate(["1234567890123456.78", "2.5", "0.000000001", "-99999999999999999999.5"])
    )
    run = backend.run(lines(schema_message("t", {"k": {"type": "integer"}, "m": NULLABLE_NUMBER})) + body)
    assert run.returncode == 0, run.stderr
    assert [m for (m,) in backend.rows("t", ["m"], order_by="k")] == [
        Decimal("1234567890123456.78"),
        Decimal("2.5"),
        Decimal("0.000000001"),
        Decimal("-99999999999999999999.5"),
    ]


def test_timestamps_with_offsets_and_z(backend: Backend) -> None:
    ts = {"type": ["string", "null"], "format": "date-time"}
    values = [
        "2021-01-06T01:57:45Z",
        "2021-01-06T03:57:45+02:00",
        "2021-01-05T20:57:45.000-05:00",
        "2021-01-06 01:57:45",
        None,
    ]
    data = lines(
        schema_message("t", {"k": {"type": "integer"}, "ts": ts}),
        *(record("t", {"k": i, "ts": v}) for i, v in enumerate(values)),
    )
    assert backend.run(data).returncode == 0
    expected = dt.datetime(2021, 1, 6, 1, 57, 45, tzinfo=dt.UTC)
    rows = [ts for (ts,) in backend.rows("t", ["ts"], order_by="k")]
    assert rows[:4] == [expected] * 4
    assert rows[4] is None


def test_empty_string_is_not_null(backend: Backend) -> None:
    data = lines(
        schema_message("t", {"k": {"type": "integer"}, "s": {"type": ["string", "null"]}}),
        record("t", {"k": 1, "s": ""}),
        record("t", {"k": 2, "s": None}),
        record("t", {"k": 3}),
        record("t", {"k": 4, "s": '"quoted", with comma\nand newline'}),
    )
    assert backend.run(data).returncode == 0
    assert backend.rows("t", ["k", "s"], order_by="k") == [
        (1, ""),
        (2, None),
        (3, None),
        (4, '"quoted", with comma\nand newline'),
    ]


def test_nul_characters_are_removed_not_fatal(backend: Backend) -> None:
    data = lines(
        schema_message("t", {"s": {"type": "string"}, "o": {"type": "object"}}),
        record("t", {"s": "a\x00b", "o": {"k\x00": "v\x00w"}}),
    )
    run = backend.run(data)
    assert run.returncode == 0, run.stderr
    assert backend.rows("t", ["s", "o"]) == [("ab", {"k": "vw"})]


def test_record_metadata_columns(backend: Backend) -> None:
    data = lines(
        schema_message("t", {"id": {"type": "integer"}}),
        record("t", {"id": 1}, time_extracted="2021-02-03T04:05:06Z", version=7),
        record("t", {"id": 2, "_sdc_deleted_at": "2021-02-04T00:00:00Z"}),
    )
    run = backend.run(data, add_record_metadata=True)
    assert run.returncode == 0, run.stderr
    types = backend.column_types("t")
    assert types["_sdc_extracted_at"] == "timestamp"
    assert types["_sdc_sequence"] == "integer"
    columns = [
        "id",
        "_sdc_extracted_at",
        "_sdc_table_version",
        "_sdc_deleted_at",
        "_sdc_received_at",
        "_sdc_batched_at",
        "_sdc_sequence",
    ]
    rows = [
        (i, extracted, version, *(v is not None for v in stamps), sequence)
        for i, extracted, version, *stamps, sequence in backend.rows("t", columns, order_by="id")
    ]
    assert rows[0][:6] == (1, dt.datetime(2021, 2, 3, 4, 5, 6, tzinfo=dt.UTC), 7, False, True, True)
    assert rows[1][:6] == (2, None, None, True, True, True)
    assert rows[0][6] < rows[1][6]
