"""`make test` in a data engineer's shell: PG* variables (or TEST_POSTGRES_DSN) name
the user's server, and the suite must run there exactly as it does on its own
throwaway server, leaving the user's server as it found it.

Each case runs a small slice of the suite's PostgreSQL fixtures
(tests/support/postgres_fixture_probe.py) in a pytest of its own. The user's
server is this session's server, and the user's database a fresh one of it,
so the check that nothing was left there sees only the probe's doing.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local_servers.postgres_server import SERVER_VARIABLES, TEST_DSN_VARIABLE, PostgresServer, fresh_database

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "tests" / "support" / "postgres_fixture_probe.py"
CHOOSING_VARIABLES = (*SERVER_VARIABLES, "PGUSER", "PGPASSWORD", TEST_DSN_VARIABLE)


def _names(server: PostgresServer, query: str) -> set[str]:
    with contextlib.closing(server.connect()) as conn, conn.cursor() as cur:
        cur.execute(query)
        return {row[0] for row in cur.fetchall()}


def _shell(naming: str, users: PostgresServer) -> dict[str, str]:
    """This environment without any server choice, plus the one `naming` makes."""
    env = {k: v for k, v in os.environ.items() if k not in CHOOSING_VARIABLES}
    params = users.params()
    if naming == "PG* variables":
        names = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password", "PGDATABASE": "dbname"}
        env.update({variable: params[key] for variable, key in names.items() if key in params})
    elif naming == TEST_DSN_VARIABLE:
        env[TEST_DSN_VARIABLE] = users.dsn
    return env


@pytest.mark.parametrize("naming", ["PG* variables", TEST_DSN_VARIABLE, "nothing"])
def test_the_suite_runs_on_the_server_the_shell_names_and_leaves_it_clean(
    naming: str, pg_server: PostgresServer, tmp_path: Path
) -> None:
    with fresh_database(pg_server, "users") as users_database:
        users = PostgresServer(pg_server.dsn_for(users_database), None)
        schemas_before = _names(users, "SELECT nspname FROM pg_namespace")
        report = tmp_path / "report.json"
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", f"{PROBE}::test_a_stream_lands_through_both_configs[postgres]"],
            cwd=ROOT,
            env={**_shell(naming, users), "PROBE_REPORT": str(report)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "1 passed" in run.stdout, run.stdout
        probe = json.loads(report.read_text())
        on_users_server = (probe["host"], probe["port"]) == (users.params()["host"], users.params()["port"])
        assert on_users_server == (naming != "nothing"), probe
        assert probe["database"] != users_database, "the suite must work in a database of its own"
        assert probe["database"] not in _names(users, "SELECT datname FROM pg_database")
        assert _names(users, "SELECT nspname FROM pg_namespace") == schemas_before
