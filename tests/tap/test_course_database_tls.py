"""The course-rating tables read from a server that takes TLS only (course_rating_database_ssl_*).

A connection refused for TLS or authentication is one line naming the
database and what failed, at once; nothing secret shows in any output.
"""

from __future__ import annotations

import contextlib
import csv
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from psycopg2.extensions import make_dsn

from local_servers.postgres_server import create_database
from tests.support.singer_process import Run, run_connector
from tests.support.tls_postgres import CERT_USER, TLS_HOST, TlsPostgres, tls_postgres

PREFIX = "course_rating_database_"
AT_ONCE_SECONDS = 3.0


@dataclass(frozen=True)
class CourseServer:
    tls: TlsPostgres
    database: str

    def url(self, user: str = "postgres", password: str | None = None, host: str = TLS_HOST) -> str:
        credentials = user if password is None else f"{user}:{password}"
        return f"postgresql://{credentials}@{host}:{self.tls.port}/{self.database}"


def csv_rows(path: Path) -> list[list[str | None]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return [[value if value != "" else None for value in row] for row in rows]


@pytest.fixture(scope="module")
def courses(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Iterator[CourseServer]:
    """The case study's tables on a TLS-only server, readable by the certificate user too."""
    with tls_postgres(tmp_path_factory.mktemp("tls")) as tls:
        database = create_database(tls.server, "courses")
        with contextlib.closing(tls.server.connect(database)) as conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE courses"
                " (course_id integer PRIMARY KEY, title text, description text, programming_language text)"
            )
            cur.execute("CREATE TABLE rating (user_id integer, course_id integer REFERENCES courses, rating integer)")
            cur.executemany("INSERT INTO courses VALUES (%s, %s, %s, %s)", csv_rows(sample_dir / "courses.csv"))
            cur.executemany("INSERT INTO rating VALUES (%s, %s, %s)", csv_rows(sample_dir / "ratings.csv"))
            cur.execute(f"GRANT SELECT ON courses, rating TO {CERT_USER}")
        yield CourseServer(tls, database)


def tap_config(sample_dir: Path, database: str | None, **tls_settings: Any) -> dict[str, Any]:
    return {
        "source": str(sample_dir),
        "taxi_types": [],
        "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv"),
        "course_rating_database": database,
        **{f"{PREFIX}{name}": value for name, value in tls_settings.items()},
    }


def assert_read_every_row(run: Run, sample_dir: Path) -> None:
    assert run.returncode == 0, run.stderr
    expected_courses = sorted(int(row[0] or 0) for row in csv_rows(sample_dir / "courses.csv"))
    assert sorted(r["course_id"] for r in run.records("courses")) == expected_courses
    expected_ratings = sorted(tuple(int(v or 0) for v in row) for row in csv_rows(sample_dir / "ratings.csv"))
    ratings = sorted((r["user_id"], r["course_id"], r["rating"]) for r in run.records("ratings"))
    assert len(ratings) > 1000
    assert ratings == expected_ratings


def assert_no_secrets(courses: CourseServer, run: Run) -> None:
    output = run.stdout.decode() + run.stderr
    certificates = courses.tls.certificates
    assert courses.tls.password not in output
    for pem in (certificates.client_key, certificates.client_certificate, certificates.ca):
        body = [line for line in pem.text.splitlines() if not line.startswith("-----")]
        assert not any(line in output for line in body), pem.path.name


def refused_at_once(run_tap: Callable[..., Run], courses: CourseServer, config: dict[str, Any]) -> str:
    started = time.monotonic()
    run = run_tap(config)
    elapsed = time.monotonic() - started
    assert_no_secrets(courses, run)
    assert run.returncode == 2, run.stderr
    assert run.records("courses") == []
    assert run.records("ratings") == []
    (line,) = run.error_lines()
    assert "Traceback" not in run.stderr
    assert elapsed < AT_ONCE_SECONDS
    return line


def test_verify_full_with_the_ca_file_reads_both_tables(
    courses: CourseServer, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    tls = courses.tls
    config = tap_config(
        sample_dir,
        courses.url(password=tls.password),
        ssl_mode="verify-full",
        ssl_certificate_authority=str(tls.certificates.ca.path),
    )
    run = run_tap(config)
    assert_read_every_row(run, sample_dir)
    assert_no_secrets(courses, run)


def test_client_certificate_files_with_a_sqlalchemy_url(
    courses: CourseServer, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    certificates = courses.tls.certificates
    url = courses.url(user=CERT_USER).replace("postgresql://", "postgresql+psycopg2://")
    config = tap_config(
        sample_dir,
        url,
        ssl_enable=True,
        ssl_certificate_authority=str(certificates.ca.path),
        ssl_client_certificate=str(certificates.client_certificate.path),
        ssl_client_private_key=str(certificates.client_key.path),
    )
    run = run_tap(config)
    assert_read_every_row(run, sample_dir)
    assert_no_secrets(courses, run)


def test_inline_client_certificate_with_a_libpq_dsn(
    courses: CourseServer, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    certificates = courses.tls.certificates
    dsn = make_dsn(host=TLS_HOST, port=courses.tls.port, user=CERT_USER, dbname=courses.database)
    config = tap_config(
        sample_dir,
        dsn,
        ssl_mode="verify-full",
        ssl_certificate_authority=certificates.ca.text,
        ssl_client_certificate=certificates.client_certificate.text,
        ssl_client_private_key=certificates.client_key.text,
    )
    run = run_tap(config)
    assert_read_every_row(run, sample_dir)
    assert_no_secrets(courses, run)


def test_a_plain_connection_is_refused_at_once(
    courses: CourseServer, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    config = tap_config(sample_dir, courses.url(password=courses.tls.password), ssl_mode="disable")
    line = refused_at_once(run_tap, courses, config)
    assert f"postgresql://postgres:***@{TLS_HOST}:{courses.tls.port}/{courses.database} table " in line
    assert "pg_hba.conf rejects connection" in line
    assert "no encryption" in line
    assert f"set {PREFIX}ssl_mode" in line


def test_a_certificate_from_another_ca_fails_at_once(
    courses: CourseServer, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    config = tap_config(
        sample_dir,
        courses.url(password=courses.tls.password),
        ssl_mode="verify-full",
        ssl_certificate_authority=courses.tls.certificates.unrelated_ca.text,
    )
    line = refused_at_once(run_tap, courses, config)
    assert "SSL error: certificate verify failed" in line
    assert f"{PREFIX}ssl_certificate_authority" in line


@pytest.mark.parametrize(
    ("database", "message"),
    [
        (
            None,
            "settings course_rating_database_ssl_* are set, but 'course_rating_database' is not",
        ),
        ("sqlite:///courses.db", "settings course_rating_database_ssl_* apply to PostgreSQL only, not sqlite"),
    ],
)
def test_tls_settings_without_a_postgresql_database_are_one_line(
    sample_dir: Path, run_tap: Callable[..., Run], database: str | None, message: str
) -> None:
    run = run_tap(tap_config(sample_dir, database, ssl_mode="require"))
    assert run.returncode == 2
    assert run.error_lines() == [f"tap-nyc-taxi: error: {message}"]


def test_about_marks_the_certificates_and_key_secret() -> None:
    about = json.loads(run_connector("tap-nyc-taxi", "--about", singer_output=False).stdout)
    properties = about["settings"]["properties"]
    assert properties[f"{PREFIX}ssl_enable"]["default"] is False
    assert "ssl_mode" not in properties
    for name in ("ssl_certificate_authority", "ssl_client_certificate", "ssl_client_private_key"):
        assert properties[f"{PREFIX}{name}"]["secret"] is True
        assert "default" not in properties[f"{PREFIX}{name}"]
