"""`make demo`'s own PostgreSQL when its port is taken (a second clone, another program).

The demo must start on another port, remember it, find its own server again on
the next run, stop it with `make demo-stop`, and end anything it cannot fix in
one line and a non-zero exit. Every test works in a demo directory of its own
(DEMO_DIR for the process), never the real .demo/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from demo.warehouse import DEFAULT_PORT, DSN_VARIABLE, PORT_VARIABLE, open_warehouse, stop_local
from local_servers.postgres_cluster import debian_binaries, free_port, port_is_free
from local_servers.postgres_server import SERVER_VARIABLES
from tests.support.prerequisites import missing_prerequisite

ROOT = Path(__file__).resolve().parents[1]
CHOOSING_VARIABLES = (*SERVER_VARIABLES, DSN_VARIABLE, PORT_VARIABLE)


@pytest.fixture
def demo_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty demo directory in a shell that names no server. Outside pytest's
    private tmp_path, because as root the server runs as `postgres`, which must
    be able to reach it."""
    if debian_binaries() is None:
        missing_prerequisite("the demo's own cluster needs Debian's PostgreSQL binaries (apt-get install postgresql)")
    for name in CHOOSING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    path = Path(tempfile.mkdtemp(prefix="demo-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        stop_local(path)
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def taken_port() -> Iterator[int]:
    """The demo's first-choice port, held by a listening socket as another program would hold it."""
    with socket.socket() as holder:
        with contextlib.suppress(OSError):  # already held by something else: the same situation
            holder.bind(("127.0.0.1", DEFAULT_PORT))
            holder.listen()
        assert not port_is_free(DEFAULT_PORT)
        yield DEFAULT_PORT


def demo(demo_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m demo ARGS` as make runs it, on `demo_dir`, with `env` added."""
    return subprocess.run(
        [sys.executable, "-m", "demo", *args],
        cwd=ROOT,
        env={**os.environ, "DEMO_DIR": str(demo_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def postmaster_pid(demo_dir: Path) -> str:
    return (demo_dir / "postgres" / "data" / "postmaster.pid").read_text().splitlines()[0]


def test_a_taken_port_gives_another_which_is_remembered_reused_and_stopped(demo_dir: Path, taken_port: int) -> None:
    first = open_warehouse(demo_dir)
    assert first.local
    assert int(first.port) != taken_port
    assert (demo_dir / "postgres" / "port").read_text().strip() == first.port
    started = postmaster_pid(demo_dir)

    again = open_warehouse(demo_dir)
    assert again.dsn == first.dsn
    assert postmaster_pid(demo_dir) == started, "the running server is reused, not restarted"
    with contextlib.closing(psycopg2.connect(again.dsn)) as conn, conn.cursor() as cur:
        cur.execute("SHOW port")
        assert cur.fetchone() == (first.port,)

    stopped = demo(demo_dir, "--stop")
    assert (stopped.returncode, stopped.stdout, stopped.stderr) == (0, "stopped the demo's PostgreSQL server\n", "")
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(first.dsn, connect_timeout=2).close()
    assert demo(demo_dir, "--stop").stdout == "the demo's PostgreSQL server was not running\n"

    restarted = open_warehouse(demo_dir)
    assert restarted.port == first.port, "the next run starts on the remembered port"
    assert postmaster_pid(demo_dir) != started


@pytest.mark.parametrize(
    ("variable", "first_words"),
    [
        (PORT_VARIABLE, f"make demo: error: {PORT_VARIABLE}={DEFAULT_PORT} is not a free port: set "),
        (DSN_VARIABLE, f"make demo: error: cannot connect to the PostgreSQL that {DSN_VARIABLE} names ("),
    ],
)
def test_what_the_demo_cannot_fix_is_one_line_and_a_failure(
    demo_dir: Path, taken_port: int, variable: str, first_words: str
) -> None:
    """A port the user asked for that another program holds; a server of the user's that is not there."""
    unusable = {PORT_VARIABLE: str(taken_port), DSN_VARIABLE: f"host=127.0.0.1 port={free_port()}"}
    run = demo(demo_dir, **{variable: unusable[variable]})
    assert run.returncode == 1
    assert run.stderr.startswith(first_words), run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert not (demo_dir / "data").exists(), "nothing is generated for a warehouse that is not there"
