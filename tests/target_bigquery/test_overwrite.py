"""BigQuery's overwrite: batches load into a table aside, and one CREATE OR
REPLACE ... AS SELECT swaps them in with the table's partitioning and
clustering, also for a table the overwrite itself creates."""

from __future__ import annotations

from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_text import lines, record, schema_message

PROPS = {
    "id": {"type": "integer"},
    "pickup": {"type": "string", "format": "date-time"},
    "vendor": {"type": "string"},
}


def trips(*ids: int) -> str:
    return lines(
        schema_message("p", PROPS, ["id"]),
        *(record("p", {"id": i, "pickup": f"2021-01-0{i}T01:00:00Z", "vendor": "v"}) for i in ids),
    )


def test_overwrite_creates_and_replaces_a_partitioned_clustered_table(target: BigQueryBackend) -> None:
    for ids in ((1, 2, 3), (4, 5)):
        run = target.run(
            trips(*ids),
            load_method="overwrite",
            batch_size_rows=2,
            partition_by={"p": "pickup"},
            cluster_by={"p": ["vendor", "id"]},
        )
        assert run.returncode == 0, run.stderr
        assert target.rows("p", ["id"], order_by="id") == [(i,) for i in ids]
        table = target.client.get_table(f"{target.emulator.project}.{target.dataset}.p")
        assert table.time_partitioning.field == "pickup"
        assert table.clustering_fields == ["vendor", "id"]
        assert target.tables() == {"p"}
