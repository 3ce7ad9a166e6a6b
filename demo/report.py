"""What the demo prints from the warehouse once the load is done.

Every figure is a query against the loaded tables, so the report doubles as
a check that the data arrived whole and joinable (trips to zones, ratings to
courses).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg2
from psycopg2 import sql

from tap_nyc_taxi.streams import all_streams

_MONTH_OF_FILE = "substring(source_file from '[0-9]{{4}}-[0-9]{{2}}')"
REPORTED_USERS = 3


def print_report(dsn: str, schema: str, taxi_types: Sequence[str]) -> None:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:

        def query(text: str, *tables: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql.SQL(text).format(*(sql.Identifier(schema, table) for table in tables)))
            return cursor.fetchall()

        trips = [f"{taxi_type}_trips" for taxi_type in taxi_types]
        _table(
            "Trips per month and taxi type",
            ("month", "taxi type", "trips"),
            [
                (month, table.removesuffix("_trips"), f"{count:,}")
                for table in trips
                for month, count in query(f"SELECT {_MONTH_OF_FILE}, count(*) FROM {{}} GROUP BY 1 ORDER BY 1", table)
            ],
        )
        streams = all_streams()
        fares = [table for table in trips if "fare_amount" in streams[table].schema["properties"]]
        _table(
            "Fares (trips with a positive fare)",
            ("taxi type", "average fare", "average tip", "average distance"),
            [
                (table.removesuffix("_trips"), f"${fare:.2f}", f"${tip:.2f}", f"{miles:.2f} mi")
                for table in fares
                for fare, tip, miles in query(
                    "SELECT avg(fare_amount), avg(tip_amount), avg(trip_distance) FROM {} "
                    "WHERE fare_amount > 0 AND trip_distance < 200",
                    table,
                )
            ],
        )
        if "yellow_trips" in trips:
            _table(
                "Yellow trips by pickup borough",
                ("borough", "trips", "share"),
                [
                    (borough or "(unknown)", f"{count:,}", f"{share:.1%}")
                    for borough, count, share in query(
                        'SELECT z."Borough", count(*), count(*)::numeric / sum(count(*)) OVER () '
                        'FROM {} t LEFT JOIN {} z ON z."LocationID" = t."PULocationID" GROUP BY 1 ORDER BY 2 DESC',
                        "yellow_trips",
                        "taxi_zones",
                    )
                ],
            )
        _table(
            "Best-rated course per programming language (at least 5 ratings)",
            ("language", "course", "average rating", "ratings"),
            [
                (language or "(missing)", title, f"{average:.2f}", f"{count:,}")
                for language, title, average, count in query(
                    "SELECT DISTINCT ON (c.programming_language) "
                    "c.programming_language, c.title, avg(r.rating), count(*) "
                    "FROM {} r JOIN {} c USING (course_id) GROUP BY c.course_id, c.programming_language, c.title "
                    "HAVING count(*) >= 5 ORDER BY c.programming_language, avg(r.rating) DESC, count(*) DESC",
                    "ratings",
                    "courses",
                )
            ],
        )
        _table(
            f"Recommended courses of the first {REPORTED_USERS} users (recommendations table)",
            ("user", "language", "course", "average rating"),
            [
                (user_id, language, title, f"{average:.2f}")
                for user_id, language, title, average in query(
                    "SELECT r.user_id, c.programming_language, c.title, r.rating "
                    "FROM {} r JOIN {} c USING (course_id) "
                    "JOIN (SELECT course_id, count(*) AS ratings FROM {} WHERE rating IS NOT NULL GROUP BY 1) n "
                    "USING (course_id) "
                    "WHERE r.user_id IN (SELECT DISTINCT user_id FROM {} ORDER BY user_id LIMIT "
                    f"{REPORTED_USERS}) "
                    "ORDER BY r.user_id, r.rating DESC, n.ratings DESC, r.course_id",
                    "recommendations",
                    "courses",
                    "ratings",
                    "recommendations",
                )
            ],
        )


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))
    if not rows:
        print("  (no rows)")
