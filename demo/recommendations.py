"""The DataCamp case study's last step: course recommendations, built in the warehouse after each load.

For every user who has rated a course: the three best-rated courses (average
rating over all users) in the programming language the user has rated most,
among the courses the user has not rated yet. Ties are broken by one stated
rule, so every run on the same data gives the same table:

- the user's language: most ratings by the user, then the lower language name;
- a course: higher average rating, then more ratings, then the lower course_id.

A ratings row without stars (a null rating) is left out everywhere: it is
neither a rating nor a sign the user took the course. A course still without a
programming_language (the demo's stream map fills it with "r") belongs to no
language: it is never recommended and does not count toward one. The table is rebuilt
whole in one transaction (drop and create), so a reader sees the last run's
recommendations or this run's, never a mix.
"""

from __future__ import annotations

import contextlib

import psycopg2
from psycopg2 import sql

TABLE = "recommendations"
PER_USER = 3

RECOMMENDATIONS_SQL = """
WITH rated AS (
    SELECT user_id, course_id, rating FROM {ratings} WHERE rating IS NOT NULL
),
course_scores AS (
    SELECT c.course_id, c.programming_language, avg(r.rating) AS average, count(*) AS ratings
    FROM {courses} c JOIN rated r USING (course_id)
    GROUP BY c.course_id, c.programming_language
),
user_language AS (
    SELECT DISTINCT ON (r.user_id) r.user_id, c.programming_language
    FROM rated r JOIN {courses} c USING (course_id)
    WHERE c.programming_language IS NOT NULL
    GROUP BY r.user_id, c.programming_language
    ORDER BY r.user_id, count(*) DESC, c.programming_language
),
ranked AS (
    SELECT u.user_id, s.course_id, s.average,
           row_number() OVER (
               PARTITION BY u.user_id ORDER BY s.average DESC, s.ratings DESC, s.course_id
           ) AS position
    FROM user_language u
    JOIN course_scores s USING (programming_language)
    WHERE NOT EXISTS (SELECT 1 FROM rated r WHERE r.user_id = u.user_id AND r.course_id = s.course_id)
)
SELECT user_id, course_id, average AS rating FROM ranked WHERE position <= {per_user}
"""


def refresh_recommendations(dsn: str, schema: str) -> int:
    """Replace the schema's recommendations table in one transaction; returns its row count."""
    table = sql.Identifier(schema, TABLE)
    query = sql.SQL(RECOMMENDATIONS_SQL).format(
        ratings=sql.Identifier(schema, "ratings"),
        courses=sql.Identifier(schema, "courses"),
        per_user=sql.Literal(PER_USER),
    )
    with contextlib.closing(psycopg2.connect(dsn)) as connection, connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        cursor.execute(sql.SQL("CREATE TABLE {} AS ").format(table) + query)
        created = cursor.rowcount
        cursor.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (user_id, course_id)").format(table))
    return created
