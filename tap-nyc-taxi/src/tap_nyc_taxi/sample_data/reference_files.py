"""The small reference CSVs published next to the trip files: zone lookup, courses, ratings."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

from .courses import generate_courses
from .csv_output import write_csv
from .random_streams import labelled_rng
from .ratings import generate_ratings
from .zones import ZONES

ZONE_LOOKUP_FILE = "taxi_zone_lookup.csv"
COURSES_FILE = "courses.csv"
RATINGS_FILE = "ratings.csv"


def zone_lookup_table() -> pa.Table:
    return pa.table(
        {
            "LocationID": pa.array([zone.location_id for zone in ZONES], pa.int64()),
            "Borough": [zone.borough for zone in ZONES],
            "Zone": [zone.zone for zone in ZONES],
            "service_zone": [zone.service_zone for zone in ZONES],
        }
    )


def write_zone_lookup(out_dir: str | os.PathLike[str]) -> Path:
    path = Path(out_dir) / ZONE_LOOKUP_FILE
    write_csv(zone_lookup_table(), path, quote_strings=True)
    return path


def write_course_ratings(out_dir: str | os.PathLike[str], seed: int) -> tuple[Path, Path]:
    """Ratings only reference courses of the same catalogue, so both come from one seed."""
    courses = generate_courses(labelled_rng(seed, "courses"))
    ratings = generate_ratings(courses.column("course_id").to_numpy(), labelled_rng(seed, "ratings"))
    courses_path = Path(out_dir) / COURSES_FILE
    ratings_path = Path(out_dir) / RATINGS_FILE
    write_csv(courses, courses_path, quote_strings=True)
    write_csv(ratings, ratings_path, quote_strings=True)
    return courses_path, ratings_path
