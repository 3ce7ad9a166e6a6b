"""The `target-bigquery-lite` command."""

from __future__ import annotations

from typing import NoReturn

from singer_lite_core.target_driver.cli import target_main
from target_bigquery_lite import __version__
from target_bigquery_lite.loader import BigQueryLoader
from target_bigquery_lite.settings import SETTINGS

DESCRIPTION = "Singer target for BigQuery: load jobs, MERGE upserts, and STATE only after commit."


def main() -> NoReturn:
    target_main("target-bigquery-lite", __version__, DESCRIPTION, SETTINGS, BigQueryLoader)
