"""Loading behaviour only BigQuery has: exact BigQuery types and modes, NUMERIC
to BIGNUMERIC widening, REQUIRED keys relaxed, layout, naming, and STATE after
a job the API rejects. Shared behaviour is in tests/targets/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from google.cloud import bigquery

from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_text import lines, record, schema_message, state, states

UTC = dt.UTC
TYPED = {
    "id": {"type": "integer"},
    "fare": {"type": ["number", "null"]},
    "big": {"type": "integer"},
    "picked_up": {"type": "string", "format": "date-time"},
    "day": {"type": "string", "format": "date"},
    "at": {"type": "string", "format": "time"},
    "shared": {"type": "boolean"},
    "extra": {"type": "object", "properties": {"k": {"type": "string"}}},
    "tags": {"type": "array", "items": {"type": "string"}},
    "note": {"type": "string"},
}


def test_types_land_exactly(target: BigQueryBackend) -> None:
    run = target.run(
        lines(
            schema_message("typed", TYPED, ["id"]),
            record(
                "typed",
                {
                    "id": 1,
                    "fare": 7.08,
                    "big": 2**63 - 1,
                    "picked_up": "2021-01-06T01:57:45Z",
                    "day": "2021-01-06",
                    "at": "01:02:03.5",
                    "shared": True,
                    "extra": {"k": "v"},
                    "tags": ["a", "b"],
                    "note": "plain",
                },
            ),
            record(
                "typed",
                {
                    "id": 2,
                    "fare": "MAX_NUMERIC",
                    "big": -(2**63),
                    "picked_up": "2021-01-06T03:57:45.123456+02:00",
                    "day": "1900-01-01",
                    "shared": False,
                    "tags": [],
                },
            ),
            record("typed", {"id": 3, "picked_up": "2021-01-06 01:57:45", "note": ""}),
        ).replace('"MAX_NUMERIC"', "99999999999999999999999999999.999999999")
    )
    assert run.returncode == 0, run.stderr
    assert target.bigquery_types("typed") == {
        "id": ("INTEGER", "REQUIRED"),
        "fare": ("NUMERIC", "NULLABLE"),
        "big": ("INTEGER", "NULLABLE"),
        "picked_up": ("TIMESTAMP", "NULLABLE"),
        "day": ("DATE", "NULLABLE"),
        "at": ("TIME", "NULLABLE"),
        "shared": ("BOOLEAN", "NULLABLE"),
        "extra": ("JSON", "NULLABLE"),
        "tags": ("JSON", "NULLABLE"),
        "note": ("STRING", "NULLABLE"),
    }
    assert sorted(target.rows("typed", list(TYPED))) == [
        (
            1,
            Decimal("7.08"),
            2**63 - 1,
            dt.datetime(2021, 1, 6, 1, 57, 45, tzinfo=UTC),
            dt.date(2021, 1, 6),
            dt.time(1, 2, 3, 500000),
            True,
            {"k": "v"},
            ["a", "b"],
            "plain",
        ),
        (
            2,
            Decimal("99999999999999999999999999999.999999999"),
            -(2**63),
            dt.datetime(2021, 1, 6, 1, 57, 45, 123456, tzinfo=UTC),
            dt.date(1900, 1, 1),
            None,
            False,
            None,
            [],
            None,
        ),
        (3, None, None, dt.datetime(2021, 1, 6, 1, 57, 45, tzinfo=UTC), None, None, None, None, None, ""),
    ]


def test_number_as_float_makes_float64(target: BigQueryBackend) -> None:
    run = target.run(
        lines(schema_message("f", {"x": {"type": "number"}}), record("f", {"x": 0.1})), number_as_float=True
    )
    assert run.returncode == 0, run.stderr
    assert target.bigquery_types("f") == {"x": ("FLOAT", "NULLABLE")}
    assert target.rows("f", ["x"]) == [(0.1,)]


def test_float64_column_asked_for_exact_numbers_becomes_bignumeric_at_once(target: BigQueryBackend) -> None:
    """A FLOAT64 column may hold values with more than NUMERIC's 9 decimals, so
    exact numbers make it BIGNUMERIC straight away, and values with more
    decimals load into it as they are."""
    schema = schema_message("f", {"x": {"type": "number"}})
    first = target.run(lines(schema, record("f", {"x": 0.1})), number_as_float=True)
    assert first.returncode == 0, first.stderr
    second = target.run(lines(schema, record("f", {"x": 1.0000000001})))
    assert second.returncode == 0, second.stderr
    assert target.bigquery_types("f") == {"x": ("BIGNUMERIC", "NULLABLE")}
    assert sorted(target.rows("f", ["x"])) == [(Decimal("0.1"),), (Decimal("1.0000000001"),)]


def test_values_beyond_numeric_widen_the_column_without_loss(target: BigQueryBackend) -> None:
    props = {"id": {"type": "integer"}, "n": {"type": "integer"}, "x": {"type": "number"}}
    run = target.run(
        lines(
            schema_message("wide", props, ["id"]),
            record("wide", {"id": 1, "n": 5, "x": 1.5}),
            state(1),
            record("wide", {"id": 2, "n": 2**64, "x": 1.0000000001}),
            state(2),
            record("wide", {"id": 3, "n": 12345678901234567890123456789, "x": 0.1}),
            state(3),
        ),
        batch_size_rows=1,
        partition_by={},
        cluster_by={"wide": ["id"]},
    )
    assert run.returncode == 0, run.stderr
    assert states(run)[-1] == 3
    types = target.bigquery_types("wide")
    # Integers past 64 bits make n NUMERIC; a tenth decimal makes x BIGNUMERIC.
    assert types["n"][0] == "NUMERIC"
    assert types["x"][0] == "BIGNUMERIC"
    assert sorted(target.rows("wide", ["id", "n", "x"])) == [
        (1, 5, Decimal("1.5")),
        (2, 2**64, Decimal("1.0000000001")),
        (3, 12345678901234567890123456789, Decimal("0.1")),
    ]
    table = target.client.get_table(f"{target.emulator.project}.{target.dataset}.wide")
    assert table.clustering_fields == ["id"]  # kept through the rewrites


def test_new_columns_are_added_and_dropped_keys_relaxed(target: BigQueryBackend) -> None:
    first = target.run(
        lines(
            schema_message("e", {"id": {"type": "integer"}, "a": {"type": "string"}}, ["id"]),
            record("e", {"id": 1, "a": "old"}),
        )
    )
    assert first.returncode == 0, first.stderr
    assert target.bigquery_types("e")["id"] == ("INTEGER", "REQUIRED")
    run = target.run(
        lines(
            schema_message("e", {"code": {"type": "string"}, "b": {"type": "boolean"}}, ["code"]),
            record("e", {"code": "c1", "b": True}),
        )
    )
    assert run.returncode == 0, run.stderr
    assert target.bigquery_types("e") == {
        "id": ("INTEGER", "NULLABLE"),
        "a": ("STRING", "NULLABLE"),
        "code": ("STRING", "NULLABLE"),
        "b": ("BOOLEAN", "NULLABLE"),
    }  # BigQuery adds only NULLABLE columns
    assert sorted(target.rows("e", ["id", "a", "code", "b"]), key=repr) == [
        (1, "old", None, None),
        (None, None, "c1", True),
    ]


def test_failing_job_stops_state_at_the_last_commit(target: BigQueryBackend) -> None:
    """A load job the API rejects: non-zero exit, one line naming the stream and
    the input lines, and no STATE after the last committed batch."""
    table = bigquery.Table(
        f"{target.emulator.project}.{target.dataset}.places",
        schema=[bigquery.SchemaField("id", "INT64"), bigquery.SchemaField("shape", "GEOGRAPHY")],
    )
    target.client.create_dataset(f"{target.emulator.project}.{target.dataset}")
    target.client.create_table(table)
    run = target.run(
        lines(
            schema_message("places", {"id": {"type": "integer"}, "shape": {"type": "string"}}),
            record("places", {"id": 1, "shape": "POINT(1 2)"}),
            state("after 1"),
            record("places", {"id": 2, "shape": "not a shape"}),
            state("after 2"),
            record("places", {"id": 3, "shape": "POINT(3 4)"}),
            state("after 3"),
        ),
        batch_size_rows=1,
    )
    assert run.returncode != 0
    assert states(run) == ["after 1"]
    [line] = run.error_lines()
    assert line.startswith("target-bigquery-lite: error: stream 'places': lines 4-4: BigQuery 400: ")
    assert "geometry" in line
    assert target.rows("places", ["id"]) == [(1,)]


def test_partitioned_and_clustered_tables_keep_their_layout_through_a_rewrite(target: BigQueryBackend) -> None:
    props = {
        "id": {"type": "integer"},
        "pickup": {"type": "string", "format": "date-time"},
        "vendor": {"type": "string"},
        "n": {"type": "integer"},
    }
    run = target.run(
        lines(
            schema_message("p", props),
            record("p", {"id": 1, "pickup": "2021-01-06T01:57:45Z", "n": 1}),
            record("p", {"id": 2, "pickup": "2021-01-07T01:57:45Z", "n": 2**64}),
        ),
        partition_by={"p": "pickup"},
        cluster_by={"p": ["vendor", "id"]},
        # The first record creates the table, so the second one's widening rewrites it.
        batch_size_rows=1,
    )
    assert run.returncode == 0, run.stderr
    table = target.client.get_table(f"{target.emulator.project}.{target.dataset}.p")
    assert table.time_partitioning.field == "pickup"
    assert table.clustering_fields == ["vendor", "id"]
    assert target.bigquery_types("p")["n"] == ("NUMERIC", "NULLABLE")
    assert sorted(target.rows("p", ["id", "n"])) == [(1, 1), (2, 2**64)]


def test_stream_names_map_to_distinct_tables(target: BigQueryBackend) -> None:
    names = ["my-stream", "my_stream", "2024 trips", "Café", "public.orders"]
    run = target.run(
        lines(*[m for n in names for m in (schema_message(n, {"id": {"type": "integer"}}), record(n, {"id": len(n)}))])
    )
    assert run.returncode == 0, run.stderr
    assert len(target.tables()) == len(names)
    assert all(target.rows(n, ["id"]) == [(len(n),)] for n in names)
    assert "my_stream" in target.tables()
