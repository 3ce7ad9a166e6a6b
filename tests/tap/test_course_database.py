"""Course ratings read from a database, as in the DataCamp case study (tables courses and rating)."""

from __future__ import annotations

import contextlib
import csv
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from local_servers.postgres_server import PostgresServer, fresh_database
from tests.support.singer_process import Run

COURSE_COLUMNS = ("course_id", "title", "description", "programming_language")
RATING_COLUMNS = ("user_id", "course_id", "rating")


def _rows(path: Path) -> list[list[str | None]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return [[value if value != "" else None for value in row] for row in rows]


def _database_config(sample_dir: Path, url: str) -> dict[str, Any]:
    return {
        "source": str(sample_dir),
        "taxi_types": [],
        "zone_lookup": str(sample_dir / "taxi_zone_lookup.csv"),
        "course_rating_database": url,
    }


def _csv_config(sample_dir: Path) -> dict[str, Any]:
    return {
        **_database_config(sample_dir, ""),
        "course_rating_database": None,
        "courses": str(sample_dir / "courses.csv"),
        "ratings": str(sample_dir / "ratings.csv"),
    }


def _sorted(records: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: tuple(r[k] for k in keys))


def test_postgres_tables_emit_what_the_csv_files_emit(
    pg_server: PostgresServer, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    with fresh_database(pg_server, "courses") as database:
        with contextlib.closing(pg_server.connect(database)) as conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE courses"
                " (course_id integer PRIMARY KEY, title text, description text, programming_language text)"
            )
            cur.execute("CREATE TABLE rating (user_id integer, course_id integer REFERENCES courses, rating integer)")
            cur.executemany("INSERT INTO courses VALUES (%s, %s, %s, %s)", _rows(sample_dir / "courses.csv"))
            cur.executemany("INSERT INTO rating VALUES (%s, %s, %s)", _rows(sample_dir / "ratings.csv"))
        params = pg_server.params()
        url = _sqlalchemy_url(params, database)
        from_url = run_tap(_database_config(sample_dir, url))
        from_libpq_dsn = run_tap(_database_config(sample_dir, pg_server.dsn_for(database)))
    from_csv = run_tap(_csv_config(sample_dir))
    assert len(from_csv.records("ratings")) > 1000
    for run in (from_url, from_libpq_dsn):
        assert run.returncode == 0, run.stderr
        assert _sorted(run.records("courses"), "course_id") == _sorted(from_csv.records("courses"), "course_id")
        assert _sorted(run.records("ratings"), "user_id", "course_id") == _sorted(
            from_csv.records("ratings"), "user_id", "course_id"
        )
        assert params.get("password") is None or params["password"] not in run.stderr


def test_sqlite_tables_work_too_and_a_missing_table_is_named(
    tmp_path: Path, sample_dir: Path, run_tap: Callable[..., Run]
) -> None:
    path = tmp_path / "courses.db"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE courses (course_id integer, title text, description text, programming_language text)")
        db.executemany("INSERT INTO courses VALUES (?, ?, ?, ?)", _rows(sample_dir / "courses.csv"))
        db.commit()
    run = run_tap({**_database_config(sample_dir, f"sqlite:///{path}"), "ratings": str(sample_dir / "ratings.csv")})
    assert run.returncode == 0, run.stderr
    assert len(run.records("courses")) == len(_rows(sample_dir / "courses.csv"))
    assert all(isinstance(r["course_id"], int) for r in run.records("courses"))
    without_ratings = run_tap(_database_config(sample_dir, f"sqlite:///{path}"))
    assert without_ratings.returncode == 2
    assert f"stream 'ratings': sqlite:///{path} table rating: " in without_ratings.error_lines()[0]


def _sqlalchemy_url(params: dict[str, str], database: str) -> str:
    """The server as a URL, whatever the user's server looks like: no password,
    or a Unix-socket directory as host (which a URL carries as a query)."""
    host = params.get("host")
    on_socket = host is not None and host.startswith("/")
    return sa.engine.URL.create(
        "postgres",
        username=params.get("user"),
        password=params.get("password"),
        host=None if on_socket else host,
        port=int(params["port"]) if "port" in params else None,
        database=database,
        query={"host": host} if on_socket and host is not None else {},
    ).render_as_string(hide_password=False)
