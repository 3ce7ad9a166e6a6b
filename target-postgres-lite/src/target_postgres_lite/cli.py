"""The `target-postgres-lite` command."""

from __future__ import annotations

from typing import NoReturn

from singer_lite_core.target_driver.cli import target_main
from target_postgres_lite import __version__
from target_postgres_lite.loader import PostgresLoader
from target_postgres_lite.settings import SETTINGS

DESCRIPTION = "Singer target for PostgreSQL: bulk loads, upserts, and STATE only after commit."


def main() -> NoReturn:
    target_main("target-postgres-lite", __version__, DESCRIPTION, SETTINGS, PostgresLoader)
