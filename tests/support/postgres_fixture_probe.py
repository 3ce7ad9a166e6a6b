"""A small, real slice of the suite's PostgreSQL fixtures, run by tests/test_user_postgres.py
in a pytest of its own under whichever server that pytest's environment names.

Not collected by the suite (its name does not start with test_). It loads one
stream through target-postgres-lite with both configs the suite builds (the
URL one of tests/targets and the setting-by-setting one of tests/e2e), each
time with PG* variables that point nowhere: a config that left anything to
libpq's environment would fail. It writes where it ran to $PROBE_REPORT, so
the caller can check that nothing was left behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from local_servers.postgres_server import PostgresServer
from tests.e2e.harness import target_config
from tests.support.backend import Backend
from tests.support.postgres_backend import PostgresBackend
from tests.support.singer_process import run_connector, write_json
from tests.support.singer_text import lines, record, schema_message

NOWHERE = {
    "PGHOST": "/nonexistent",
    "PGPORT": "1",
    "PGUSER": "nobody",
    "PGPASSWORD": "wrong",
    "PGDATABASE": "nowhere",
}


def _stream(ids: range) -> bytes:
    properties = {"id": {"type": "integer"}, "name": {"type": "string"}}
    return lines(
        schema_message("probe", properties, ["id"]), *(record("probe", {"id": i, "name": f"n{i}"}) for i in ids)
    ).encode()


def test_a_stream_lands_through_both_configs(backend: Backend, pg_server: PostgresServer, tmp_path: Path) -> None:
    assert isinstance(backend, PostgresBackend)
    params = pg_server.params()
    report = {"host": params["host"], "port": params["port"], "database": pg_server.database, "schema": backend.schema}
    Path(os.environ["PROBE_REPORT"]).write_text(json.dumps(report))

    from_url = backend.run(_stream(range(1, 4)), env=NOWHERE)
    assert from_url.returncode == 0, from_url.stderr
    pipeline = write_json(tmp_path / "pipeline.json", target_config(backend))
    from_settings = run_connector(backend.program, "--config", pipeline, stdin=_stream(range(4, 6)), env=NOWHERE)
    assert from_settings.returncode == 0, from_settings.stderr

    assert backend.rows("probe", ["id", "name"], order_by="id") == [(i, f"n{i}") for i in range(1, 6)]
