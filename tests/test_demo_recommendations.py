"""`make demo`'s case study end to end: the missing-language stream map, and the
recommendations table the demo builds in the warehouse after the load.

The demo runs as a user runs it (`python -m demo`), on a small month, against a
fresh database of the session's PostgreSQL (DEMO_POSTGRES_DSN). The expected
table is computed here in Python from the CSVs the demo generated, by the rule
demo/recommendations.py states, and compared row for row; a second run must
rebuild the same table, not add to it.
"""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from demo.recommendations import PER_USER
from demo.warehouse import DSN_VARIABLE
from local_servers.postgres_server import SERVER_VARIABLES, PostgresServer, fresh_database

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "nyc_taxi"
FILL = "r"

Row = tuple[int, int, Fraction]


@pytest.fixture
def demo_database(pg_server: PostgresServer) -> Iterator[str]:
    with fresh_database(pg_server, prefix="demo") as database:
        yield pg_server.dsn_for(database)


def _run_demo(dsn: str, demo_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name not in SERVER_VARIABLES}
    env.update({DSN_VARIABLE: dsn, "DEMO_DIR": str(demo_dir)})
    return subprocess.run(
        [sys.executable, "-m", "demo", "--months", "2021-01:2021-01", "--rows-per-month", "30"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _expected(data: Path) -> tuple[list[Row], dict[int, str]]:
    """The recommendations by the stated rule, from the generated CSVs alone."""
    with open(data / "courses.csv", newline="") as handle:
        courses = list(csv.DictReader(handle))
    with open(data / "ratings.csv", newline="") as handle:
        ratings = [row for row in csv.DictReader(handle) if row["rating"] != ""]
    assert any(course["programming_language"] == "" for course in courses), "no course lacks a language to fill"
    language = {int(c["course_id"]): c["programming_language"] or FILL for c in courses}
    titles = {int(c["course_id"]): c["title"] for c in courses}
    stars: dict[int, list[int]] = defaultdict(list)
    rated_by: dict[int, set[int]] = defaultdict(set)
    for row in ratings:
        stars[int(row["course_id"])].append(int(row["rating"]))
        rated_by[int(row["user_id"])].add(int(row["course_id"]))
    average = {course: Fraction(sum(given), len(given)) for course, given in stars.items()}
    expected: list[Row] = []
    for user, rated in sorted(rated_by.items()):
        per_language = Counter(language[course] for course in rated)
        favourite = min(per_language, key=lambda name: (-per_language[name], name))
        candidates = [c for c in average if language[c] == favourite and c not in rated]
        candidates.sort(key=lambda c: (-average[c], -len(stars[c]), c))
        expected += [(user, course, average[course]) for course in candidates[:PER_USER]]
    return expected, titles


def _table(dsn: str, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(psycopg2.connect(dsn)) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def _recommendations(dsn: str) -> list[Row]:
    rows = _table(dsn, f"SELECT user_id, course_id, rating FROM {SCHEMA}.recommendations")
    return sorted((int(user), int(course), Fraction(rating)) for user, course, rating in rows)


def _same(actual: list[Row], expected: list[Row]) -> bool:
    """Same users and courses; averages equal to numeric's precision (PostgreSQL's avg keeps 16 decimals)."""
    expected = sorted(expected)
    return [row[:2] for row in actual] == [row[:2] for row in expected] and all(
        abs(got[2] - wanted[2]) < Fraction(1, 10**12) for got, wanted in zip(actual, expected, strict=True)
    )


def test_the_demo_fills_the_language_and_builds_the_recommendations(demo_database: str, tmp_path: Path) -> None:
    first = _run_demo(demo_database, tmp_path / "demo")
    assert first.returncode == 0, first.stderr[-3000:]

    unfilled = _table(demo_database, f"SELECT count(*) FROM {SCHEMA}.courses WHERE programming_language IS NULL")
    assert unfilled == [(0,)], "the stream map did not fill the missing programming_language"

    expected, titles = _expected(tmp_path / "demo" / "data")
    actual = _recommendations(demo_database)
    assert len(actual) == len(expected) > 0
    assert _same(actual, expected)

    first_user = expected[0][0]
    report = first.stdout.split("Recommended courses of the first", 1)[-1]
    for user, course, _ in expected:
        if user == first_user:
            assert titles[course] in report, f"the report lacks user {user}'s recommended {titles[course]!r}"

    second = _run_demo(demo_database, tmp_path / "demo")
    assert second.returncode == 0, second.stderr[-3000:]
    assert _same(_recommendations(demo_database), expected), "a second run did not rebuild the same table"
