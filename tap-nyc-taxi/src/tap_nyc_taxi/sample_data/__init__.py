"""Synthetic NYC TLC trip files and reference CSVs that look and misbehave like the real downloads.

Tests and benchmarks need realistic input without network access or gigabytes
of downloads; this package reproduces the TLC's file names, per-year column
layouts and data-quality defects deterministically from a seed.
"""

from tap_nyc_taxi.months import Month, parse_month_range

from .generate import generate
from .layouts import trip_schema
from .reference_files import write_course_ratings, write_zone_lookup
from .trip_files import DEFAULT_ROW_GROUP_SIZE, TRIP_FILE_FORMATS, trip_file_name, write_trip_file
from .trip_tables import generate_trip_table

__all__ = [
    "DEFAULT_ROW_GROUP_SIZE",
    "TRIP_FILE_FORMATS",
    "Month",
    "generate",
    "generate_trip_table",
    "parse_month_range",
    "trip_file_name",
    "trip_schema",
    "write_course_ratings",
    "write_trip_file",
    "write_zone_lookup",
]
