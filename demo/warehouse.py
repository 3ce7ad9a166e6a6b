"""The demo's warehouse: the user's PostgreSQL if configured, else one kept under .demo/postgres.

The local server is left running after the demo so the user can look at the
tables with psql; its data directory persists, so the next `make demo`
finds yesterday's tables and state and only loads what is new.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from psycopg2.extensions import parse_dsn

from tests.support.postgres_cluster import PostgresCluster, server_binaries

DEFAULT_PORT = 54329


@dataclass(frozen=True)
class Warehouse:
    dsn: str
    local: PostgresCluster | None

    def target_config(self, schema: str) -> dict[str, object]:
        params = parse_dsn(self.dsn)
        config: dict[str, object] = {
            "host": params.get("host", "127.0.0.1"),
            "port": int(params.get("port", 5432)),
            "user": params.get("user", "postgres"),
            "database": params.get("dbname", "postgres"),
            "default_target_schema": schema,
        }
        if params.get("password"):
            config["password"] = params["password"]
        return config

    def how_to_connect(self) -> str:
        params = parse_dsn(self.dsn)
        where = f"-h {params.get('host', '127.0.0.1')} -p {params.get('port', 5432)} -U {params.get('user', 'postgres')} {params.get('dbname', 'postgres')}"
        lines = [f"  psql {where}", f"  pgcli {where}"]
        if self.local is not None:
            lines.append(f"  (the local server keeps running; stop it with: make demo-stop)")
        return "\n".join(lines)


def open_warehouse(demo_dir: Path) -> Warehouse:
    """DEMO_POSTGRES_DSN or PG* variables name the user's server; otherwise start the local one."""
    configured = os.environ.get("DEMO_POSTGRES_DSN")
    if configured is None and os.environ.get("PGHOST"):
        configured = " ".join(
            f"{key}={os.environ[name]}"
            for key, name in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD"), ("dbname", "PGDATABASE"))
            if os.environ.get(name)
        )
    if configured is not None:
        return Warehouse(configured, None)
    cluster = local_cluster(demo_dir)
    cluster.initialise()
    if not cluster.is_running():
        cluster.start(fast=False)
    return Warehouse(cluster.dsn(), cluster)


def local_cluster(demo_dir: Path) -> PostgresCluster:
    port = int(os.environ.get("DEMO_PGPORT", DEFAULT_PORT))
    return PostgresCluster(demo_dir / "postgres", port, server_binaries())
