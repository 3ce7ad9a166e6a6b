"""TLS to a server that takes nothing else, as managed PostgreSQL does.

A TLS or authentication failure is final: one line that says what failed,
at once, never the committer's retries; and neither the private key, the
certificates nor the password shows in any output.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres_backend import PostgresBackend, postgres_backend
from tests.support.singer_process import Run, run_connector
from tests.support.singer_text import lines, record, schema_message
from tests.support.tls_postgres import CERT_USER, TLS_HOST, TlsPostgres, tls_postgres

PROGRAM = "target-postgres-lite"
DATA = lines(
    schema_message("people", {"id": {"type": "integer"}, "name": {"type": "string"}}, ["id"]),
    record("people", {"id": 1, "name": "Ada"}),
    record("people", {"id": 2, "name": "Grace"}),
)
LOADED = [(1, "Ada"), (2, "Grace")]
# The committer's retries of a transient error take 0.5 + 1 + 2 + 4 s; a final one takes none.
AT_ONCE_SECONDS = 3.0


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsPostgres]:
    with tls_postgres(tmp_path_factory.mktemp("tls")) as server:
        yield server


@pytest.fixture
def target(tls: TlsPostgres, tmp_path: Path) -> Iterator[PostgresBackend]:
    with postgres_backend(tls.server, tmp_path) as backend:
        yield backend


def settings(tls: TlsPostgres, **overrides: Any) -> dict[str, Any]:
    """Host, port and password settings (no sqlalchemy_url) for the TLS listener."""
    return {
        "sqlalchemy_url": None,
        "host": TLS_HOST,
        "port": tls.port,
        "user": "postgres",
        "password": tls.password,
        "database": "postgres",
        **overrides,
    }


def run_target(target: PostgresBackend, tls: TlsPostgres, env: dict[str, str] | None = None, **overrides: Any) -> Run:
    run = target.run(DATA, env=env, **settings(tls, **overrides))
    assert_no_secrets(tls, run.stdout.decode() + run.stderr)
    return run


def assert_no_secrets(tls: TlsPostgres, output: str) -> None:
    certificates = tls.certificates
    assert tls.password not in output
    for pem in (certificates.client_key, certificates.client_certificate, certificates.ca):
        body = [line for line in pem.text.splitlines() if not line.startswith("-----")]
        assert not any(line in output for line in body), pem.path.name


def assert_refused_at_once(
    target: PostgresBackend, tls: TlsPostgres, phrases: tuple[str, ...], **overrides: Any
) -> None:
    """One line naming what failed, quicker than the first retry's backoff would allow."""
    started = time.monotonic()
    run = run_target(target, tls, **overrides)
    elapsed = time.monotonic() - started
    assert run.returncode == 2, run.stderr
    (line,) = run.error_lines()
    assert line.startswith(f"{PROGRAM}: error: cannot connect to PostgreSQL: "), line
    assert all(phrase in line for phrase in phrases), line
    assert "unavailable after" not in run.stderr
    assert "retrying" not in run.stderr
    assert "Traceback" not in run.stderr
    assert elapsed < AT_ONCE_SECONDS
    assert target.tables() == set()


def table_owner(target: PostgresBackend) -> str:
    [(owner,)] = target.query("SELECT tableowner FROM pg_tables WHERE schemaname = %s", (target.schema,))
    return str(owner)


def test_verify_full_with_the_ca_file_loads(target: PostgresBackend, tls: TlsPostgres) -> None:
    run = run_target(target, tls, ssl_mode="verify-full", ssl_certificate_authority=str(tls.certificates.ca.path))
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"], "id") == LOADED


def test_ssl_enable_means_verify_full_and_takes_inline_pem(target: PostgresBackend, tls: TlsPostgres) -> None:
    run = run_target(target, tls, ssl_enable=True, ssl_certificate_authority=tls.certificates.ca.text)
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"], "id") == LOADED


def test_verify_full_checks_the_host_name(target: PostgresBackend, tls: TlsPostgres) -> None:
    assert_refused_at_once(
        target,
        tls,
        ('does not match host name "127.0.0.1"', "ssl_mode verify-ca"),
        ssl_enable=True,
        host="127.0.0.1",
        ssl_certificate_authority=tls.certificates.ca.text,
    )


def test_verify_ca_does_not_check_the_host_name(target: PostgresBackend, tls: TlsPostgres) -> None:
    run = run_target(
        target,
        tls,
        host="127.0.0.1",
        ssl_mode="verify-ca",
        ssl_certificate_authority=str(tls.certificates.ca.path),
    )
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"], "id") == LOADED


def test_client_certificate_files_authenticate_without_a_password(target: PostgresBackend, tls: TlsPostgres) -> None:
    certificates = tls.certificates
    run = run_target(
        target,
        tls,
        user=CERT_USER,
        password=None,
        ssl_mode="verify-full",
        ssl_certificate_authority=str(certificates.ca.path),
        ssl_client_certificate=str(certificates.client_certificate.path),
        ssl_client_private_key=str(certificates.client_key.path),
    )
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"], "id") == LOADED
    assert table_owner(target) == CERT_USER


def test_inline_client_certificate_from_the_environment(
    target: PostgresBackend, tls: TlsPostgres, tmp_path: Path
) -> None:
    """PEM text in environment variables, line breaks written as \\n the way
    .env files and CI secrets carry them; the files libpq needs are gone
    when the target exits."""
    certificates = tls.certificates
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {
        "TMPDIR": str(temp),
        "LOG_LEVEL": "DEBUG",
        "TARGET_POSTGRES_LITE_SSL_CLIENT_CERTIFICATE": certificates.client_certificate.text.replace("\n", "\\n"),
        "TARGET_POSTGRES_LITE_SSL_CLIENT_PRIVATE_KEY": certificates.client_key.text.replace("\n", "\\n"),
    }
    run = run_target(
        target,
        tls,
        env=env,
        user=CERT_USER,
        password=None,
        ssl_mode="verify-full",
        ssl_certificate_authority=certificates.ca.text,
    )
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"], "id") == LOADED
    assert table_owner(target) == CERT_USER
    assert "'ssl_client_private_key': '********'" in run.stderr
    assert list(temp.iterdir()) == []


def test_a_plain_connection_is_refused_at_once(target: PostgresBackend, tls: TlsPostgres) -> None:
    assert_refused_at_once(
        target, tls, ("pg_hba.conf rejects connection", "no encryption", "set ssl_mode"), ssl_mode="disable"
    )


def test_a_certificate_from_another_ca_fails_at_once(target: PostgresBackend, tls: TlsPostgres) -> None:
    assert_refused_at_once(
        target,
        tls,
        ("SSL error: certificate verify failed", "ssl_certificate_authority"),
        ssl_mode="verify-full",
        ssl_certificate_authority=str(tls.certificates.unrelated_ca.path),
    )


def test_a_wrong_password_and_a_missing_client_certificate_fail_at_once(
    target: PostgresBackend, tls: TlsPostgres
) -> None:
    ca = str(tls.certificates.ca.path)
    assert_refused_at_once(
        target,
        tls,
        ('password authentication failed for user "postgres"',),
        password="not-the-password",
        ssl_mode="verify-full",
        ssl_certificate_authority=ca,
    )
    assert_refused_at_once(
        target,
        tls,
        ("requires a valid client certificate",),
        user=CERT_USER,
        password=None,
        ssl_mode="verify-full",
        ssl_certificate_authority=ca,
    )


def test_a_key_file_others_can_read_is_refused_at_once(
    target: PostgresBackend, tls: TlsPostgres, tmp_path: Path
) -> None:
    certificates = tls.certificates
    key = tmp_path / "open.key"
    key.write_text(certificates.client_key.text)
    key.chmod(0o644)
    assert_refused_at_once(
        target,
        tls,
        (f'private key file "{key}" has group or world access',),
        user=CERT_USER,
        password=None,
        ssl_mode="verify-full",
        ssl_certificate_authority=str(certificates.ca.path),
        ssl_client_certificate=str(certificates.client_certificate.path),
        ssl_client_private_key=str(key),
    )


def test_tls_settings_apply_over_sqlalchemy_url_and_a_contradiction_is_named(
    target: PostgresBackend, tls: TlsPostgres
) -> None:
    url = f"postgresql+psycopg2://postgres:{tls.password}@{TLS_HOST}:{tls.port}/postgres"
    ca = str(tls.certificates.ca.path)
    run = run_target(target, tls, sqlalchemy_url=url, ssl_mode="verify-full", ssl_certificate_authority=ca)
    assert run.returncode == 0, run.stderr
    assert target.rows("people", ["id", "name"], "id") == LOADED
    both = run_target(target, tls, sqlalchemy_url=f"{url}?sslmode=require", ssl_mode="verify-full")
    assert both.returncode == 2
    assert both.error_lines() == [
        f"{PROGRAM}: error: libpq parameter sslmode is set both in the connection URL and by setting 'ssl_mode'; "
        "keep one"
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"ssl_client_certificate": "client.crt"},
            "setting 'ssl_client_certificate' needs 'ssl_client_private_key' too",
        ),
        (
            {"ssl_certificate_authority": "/no/such/secret-ca.pem"},
            "setting 'ssl_certificate_authority' is neither PEM text (-----BEGIN ...) nor the path of an existing file",
        ),
        (
            {"ssl_mode": "verify"},
            "setting 'ssl_mode' has 'verify'; allowed: disable, allow, prefer, require, verify-ca, verify-full",
        ),
    ],
)
def test_tls_settings_that_cannot_work_are_one_line_before_connecting(
    target: PostgresBackend, tls: TlsPostgres, overrides: dict[str, Any], message: str
) -> None:
    run = run_target(target, tls, **overrides)
    assert run.returncode == 2
    assert run.error_lines() == [f"{PROGRAM}: error: {message}"]
    assert "secret-ca" not in run.stderr


def test_about_marks_the_certificates_and_key_secret() -> None:
    about = json.loads(run_connector(PROGRAM, "--about", "--format", "json", singer_output=False).stdout)
    properties = about["settings"]["properties"]
    assert properties["ssl_enable"]["default"] is False
    assert properties["ssl_mode"]["enum"] == ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
    for name in ("ssl_certificate_authority", "ssl_client_certificate", "ssl_client_private_key", "password"):
        assert properties[name]["secret"] is True
        assert "default" not in properties[name]
