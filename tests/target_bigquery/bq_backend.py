"""Everything BigQuery-specific the behavioural cases need: running the real
`target-bigquery-lite` process against one fresh dataset of the emulator and
reading back what landed, in backend-neutral terms (rows as Python values,
column types as the core's logical type names).

Cases (cases.py) and tests talk only to this interface, so a PostgreSQL
twin of this module is all a shared suite needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.api_core import exceptions as api
from google.cloud import bigquery

from target_bigquery_lite.bq_types import logical_of
from target_bigquery_lite.naming import table_name
from tests.support.bigquery_emulator import BigQueryEmulator
from tests.support.singer_process import Run, run_connector

PROGRAM = "target-bigquery-lite"


@dataclass
class BigQueryTarget:
    emulator: BigQueryEmulator
    client: bigquery.Client
    dataset: str
    tmp_path: Path
    program: str = PROGRAM

    def config(self, **overrides: Any) -> dict[str, Any]:
        return {"project": self.emulator.project, "dataset": self.dataset, "api_endpoint": self.emulator.endpoint,
                "retry_attempts": 3, **overrides}

    def run(self, stdin: bytes | str, env: dict[str, str] | None = None, **settings: Any) -> Run:
        config_path = self.tmp_path / "config.json"
        config_path.write_text(json.dumps(self.config(**settings)))
        data = stdin.encode() if isinstance(stdin, str) else stdin
        return run_connector(self.program, "--config", config_path, stdin=data, env=env)

    def table(self, stream: str) -> str:
        return f"`{self.emulator.project}.{self.dataset}.{table_name(stream)}`"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row.values()) for row in self.client.query(sql).result()]

    def rows(self, stream: str, columns: list[str], order_by: str | None = None) -> list[tuple[Any, ...]]:
        select = ", ".join(f"`{c}`" for c in columns)
        order = f" ORDER BY `{order_by}`" if order_by else ""
        return self.query(f"SELECT {select} FROM {self.table(stream)}{order}")

    def count(self, stream: str) -> int:
        return self.query(f"SELECT COUNT(*) FROM {self.table(stream)}")[0][0]

    def column_types(self, stream: str) -> dict[str, str]:
        """Column -> logical type name ("integer", "decimal", "json", ...)."""
        table = self.client.get_table(f"{self.emulator.project}.{self.dataset}.{table_name(stream)}")
        return {f.name: (t.value if (t := logical_of(f.field_type)) else f.field_type) for f in table.schema}

    def bigquery_types(self, stream: str) -> dict[str, tuple[str, str]]:
        """Column -> (BigQuery type as the API reports it, mode)."""
        table = self.client.get_table(f"{self.emulator.project}.{self.dataset}.{table_name(stream)}")
        return {f.name: (f.field_type, f.mode) for f in table.schema}

    def tables(self) -> set[str]:
        try:
            return {t.table_id for t in self.client.list_tables(f"{self.emulator.project}.{self.dataset}")}
        except api.NotFound:
            return set()
