"""Connection and table-layout settings of target-bigquery-lite; the shared ones
(load_method, batch sizes, metadata, hard_delete, validation, number_as_float,
retry_attempts) live in the core and mean the same as for PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from singer_lite_core.errors import ConfigError
from singer_lite_core.settings import Setting

MAX_CLUSTER_COLUMNS = 4

SETTINGS: tuple[Setting, ...] = (
    Setting("project", "string", "Google Cloud project that owns the dataset and runs the jobs.", required=True),
    Setting("dataset", "string", "Dataset the stream tables go to; created if missing.", required=True),
    Setting("location", "string", "Location of the dataset and its jobs (US, EU, europe-west1, ...).", "US"),
    Setting(
        "credentials_path",
        "string",
        "Path of a service-account JSON key file (the path is logged, never the key); "
        "unset means Application Default Credentials.",
    ),
    Setting(
        "api_endpoint",
        "string",
        "Base URL of a BigQuery-compatible API (a local emulator); anonymous credentials are then used.",
    ),
    Setting(
        "partition_by",
        "object",
        "Per stream, a TIMESTAMP or DATE property to partition its table by day, e.g. "
        '{"yellow_trips": "tpep_pickup_datetime"}; applied when the table is created.',
    ),
    Setting(
        "cluster_by",
        "object",
        'Per stream, up to four properties to cluster its table by, e.g. {"yellow_trips": ["VendorID"]}; '
        "applied when the table is created.",
    ),
    Setting(
        "bucket",
        "string",
        "GCS bucket to stage each flushed batch in as a parquet object, which the load job then reads "
        "from its gs:// URI; unset means the batch is sent with the load job itself.",
    ),
    Setting(
        "bucket_prefix",
        "string",
        "Object name prefix of the staged batches in 'bucket' (e.g. staging/target-bigquery-lite).",
    ),
    Setting(
        "clean_up_staged_objects",
        "boolean",
        "Delete a staged object once the load (and MERGE) that used it committed; "
        "false keeps it (a failed run's objects are always kept).",
        True,
    ),
    Setting(
        "job_timeout_seconds",
        "integer",
        "A load, MERGE or DDL job running longer than this is cancelled and the run fails.",
        3600,
    ),
)


@dataclass(frozen=True)
class TableLayout:
    """How one stream's table is partitioned and clustered, by property name."""

    partition_by: str | None = None
    cluster_by: tuple[str, ...] = ()


def table_layouts(config: Mapping[str, Any]) -> dict[str, TableLayout]:
    """Per-stream layouts, checked at start-up so a typo fails before any load."""
    partitions = config.get("partition_by") or {}
    clusters = config.get("cluster_by") or {}
    layouts: dict[str, TableLayout] = {}
    for stream in set(partitions) | set(clusters):
        partition = partitions.get(stream)
        if partition is not None and not isinstance(partition, str):
            raise ConfigError(f"setting 'partition_by' for stream {stream!r} must be a property name")
        cluster = clusters.get(stream) or []
        if isinstance(cluster, str):
            cluster = [cluster]
        if not isinstance(cluster, list) or not all(isinstance(c, str) for c in cluster):
            raise ConfigError(f"setting 'cluster_by' for stream {stream!r} must be a list of property names")
        if len(cluster) > MAX_CLUSTER_COLUMNS:
            raise ConfigError(
                f"setting 'cluster_by' for stream {stream!r} lists more than {MAX_CLUSTER_COLUMNS} properties"
            )
        layouts[stream] = TableLayout(partition, tuple(cluster))
    return layouts
