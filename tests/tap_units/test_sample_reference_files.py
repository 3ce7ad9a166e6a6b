"""The sample zone lookup and course-rating CSVs look like the published ones, CSV-hostile text included."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from tap_nyc_taxi.sample_data import write_course_ratings, write_zone_lookup

SEED = 7


@pytest.fixture(scope="module")
def reference_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    write_zone_lookup(out)
    write_course_ratings(out, SEED)
    return out


def _values(table: pa.Table, column: str) -> list[Any]:
    return list(table.column(column).to_pylist())


def test_reference_files_are_reproducible(tmp_path: Path, reference_dir: Path) -> None:
    write_course_ratings(tmp_path, SEED)
    for name in ("courses.csv", "ratings.csv"):
        assert (tmp_path / name).read_bytes() == (reference_dir / name).read_bytes()


def test_zone_lookup_has_the_265_tlc_zones(reference_dir: Path) -> None:
    with open(reference_dir / "taxi_zone_lookup.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["LocationID", "Borough", "Zone", "service_zone"]
    ids = [int(row["LocationID"]) for row in rows]
    assert ids == list(range(1, 266))
    by_id = {int(row["LocationID"]): (row["Borough"], row["Zone"], row["service_zone"]) for row in rows}
    assert by_id[1] == ("EWR", "Newark Airport", "EWR")
    assert by_id[132] == ("Queens", "JFK Airport", "Airports")
    assert by_id[138] == ("Queens", "LaGuardia Airport", "Airports")
    assert by_id[264] == ("Unknown", "NV", "N/A")
    assert by_id[265] == ("N/A", "Outside of NYC", "N/A")
    assert by_id[161] == ("Manhattan", "Midtown Center", "Yellow Zone")
    for borough, _, service_zone in by_id.values():
        if borough == "Manhattan":
            assert service_zone == "Yellow Zone"
        elif borough in ("Bronx", "Brooklyn", "Staten Island") or (borough == "Queens" and service_zone != "Airports"):
            assert service_zone == "Boro Zone"


def test_courses_have_missing_languages_and_csv_hostile_descriptions(reference_dir: Path) -> None:
    with open(reference_dir / "courses.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["course_id", "title", "description", "programming_language"]
    assert 90 <= len(rows) <= 110
    assert len({row["course_id"] for row in rows}) == len(rows)
    languages = [row["programming_language"] for row in rows]
    assert 1 <= languages.count("") <= 0.1 * len(rows)
    assert {"r", "python", "sql", "shell", "spreadsheets"} == set(languages) - {""}
    descriptions = [row["description"] for row in rows]
    assert any("," in text for text in descriptions)
    assert any('"' in text for text in descriptions)
    assert any("\n" in text for text in descriptions)


def test_missing_languages_are_unquoted_empty_fields(reference_dir: Path) -> None:
    """Empty-but-quoted would mean an empty string; the data set leaves the field out entirely."""
    courses = pa_csv.read_csv(
        reference_dir / "courses.csv",
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(strings_can_be_null=True, quoted_strings_can_be_null=False),
    )
    assert courses.column("programming_language").null_count >= 1
    assert courses.column("title").null_count == 0


def test_ratings_are_unique_pairs_of_existing_courses(reference_dir: Path) -> None:
    courses = pa_csv.read_csv(reference_dir / "courses.csv", parse_options=pa_csv.ParseOptions(newlines_in_values=True))
    ratings = pa_csv.read_csv(reference_dir / "ratings.csv")
    assert ratings.column_names == ["user_id", "course_id", "rating"]
    assert 1000 <= ratings.num_rows <= 10_000
    pairs = list(zip(_values(ratings, "user_id"), _values(ratings, "course_id"), strict=True))
    assert len(set(pairs)) == len(pairs)
    assert set(_values(ratings, "course_id")) <= set(_values(courses, "course_id"))
    assert ratings.schema.field("rating").type == pa.int64()
    assert set(_values(ratings, "rating")) == {1, 2, 3, 4, 5}
