"""Neither target ever prints a password or key material: not in --about, not in
DEBUG logs, not in the error line of a run that fails because of them."""

from __future__ import annotations

import secrets

import pytest

from tests.support.backend import Backend
from tests.support.singer_process import run_connector
from tests.support.singer_text import lines, record, schema_message


@pytest.fixture
def secret() -> str:
    return f"TOP-SECRET-{secrets.token_hex(8)}"


def test_secrets_never_printed(backend: Backend, secret: str) -> None:
    settings = {**backend.secret_settings(secret), "retry_attempts": 1}
    config = backend.write_config(**settings)
    abouts = [
        run_connector(backend.program, "--about", "--format", form, "--config", config, singer_output=False)
        for form in ("json", "markdown")
    ]
    data = lines(schema_message("t", {"id": {"type": "integer"}}), record("t", {"id": 1}))
    run = backend.run(data, env={"LOG_LEVEL": "DEBUG"}, **settings)
    assert all(about.returncode == 0 for about in abouts)
    assert run.returncode == 2
    assert len(run.error_lines()) == 1
    assert "settings: " in run.stderr  # the settings were logged, redacted
    for output in (*[a.stdout.decode() + a.stderr for a in abouts], run.stdout.decode(), run.stderr):
        assert secret not in output
