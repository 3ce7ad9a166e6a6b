"""Bad input and lost databases: one clear line, non-zero exit, nothing half-written."""

from __future__ import annotations

import threading
import time

from local_servers.postgres_server import PostgresServer
from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_text import lines, record, schema_message, state, states

PROPS = {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}


def test_connection_killed_mid_load_is_retried(target: PostgresBackend, pg_server: PostgresServer) -> None:
    """Every target backend is terminated once, while records are still arriving."""
    rows = [record("t", {"id": i, "name": "x" * 50}) for i in range(40_000)]
    data = lines(schema_message("t", PROPS, ["id"]), *rows[:20_000], state({"n": 1}), *rows[20_000:], state({"n": 2}))
    killed: list[int] = []

    def kill_once() -> None:
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            found = target.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'target-postgres-lite' AND state <> 'idle'"
            )
            killed.extend(1 for ok in found if ok[0])
            time.sleep(0.005)

    killer = threading.Thread(target=kill_once)
    killer.start()
    run = target.run(data, batch_size_rows=2_000)
    killer.join()
    assert run.returncode == 0, run.stderr
    assert killed, "the test never caught the target at work"
    assert "retrying" in run.stderr
    assert target.query("SELECT count(*), count(DISTINCT id) FROM t") == [(40_000, 40_000)]
    assert states(run)[-1] == {"n": 2}
