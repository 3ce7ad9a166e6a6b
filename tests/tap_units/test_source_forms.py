"""How a `source` names one month's file, and which months may not be published yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from singer_lite_core.errors import ConfigError
from tap_nyc_taxi.months import Month
from tap_nyc_taxi.source_forms import builds_names, is_template, location_for
from tap_nyc_taxi.taxi_types import GREEN
from tap_nyc_taxi.trip_files import may_be_unpublished

MARCH = Month(2021, 3)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "https://d37ci6vzurychx.cloudfront.net/trip-data/",
            "https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_2021-03.parquet",
        ),
        (
            "https://github.com/DataTalksClub/nyc-tlc-data/releases/download/{taxi_type}/{taxi_type}_tripdata_{month}.csv.gz",
            "https://github.com/DataTalksClub/nyc-tlc-data/releases/download/green/green_tripdata_2021-03.csv.gz",
        ),
        ("gs://lake/{taxi_type}/{year}/{month}.parquet", "gs://lake/green/2021/2021-03.parquet"),
        ("~/tlc/{taxi_type}_tripdata_{month}.csv", str(Path.home() / "tlc" / "green_tripdata_2021-03.csv")),
    ],
)
def test_a_month_location_is_built_from_the_template_or_the_tlc_name(source: str, expected: str) -> None:
    assert builds_names(source)
    assert location_for(source, GREEN, MARCH) == expected


@pytest.mark.parametrize("source", ["/data/tlc", "/data/tlc/*.parquet", "s3://lake/trip-data", "gs://lake"])
def test_listed_forms_do_not_build_names(source: str) -> None:
    assert not builds_names(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("s3://lake/{kind}/{month}.parquet", "unknown placeholders ['kind']"),
        ("s3://lake/{taxi_type}/{year}.parquet", "must contain {month}"),
        ("/data/{taxi_type}_tripdata_{year}.parquet", "must contain {month}"),
        ("s3://lake/{month.parquet", "source template s3://lake/{month.parquet: "),
    ],
)
def test_a_malformed_template_is_refused(source: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("{", r"\{")):
        is_template(source)


def test_the_publication_lag_covers_this_month_and_the_two_before() -> None:
    today = Month(2026, 1)
    assert [may_be_unpublished(m, today) for m in (Month(2025, 10), Month(2025, 11), Month(2025, 12), today)] == [
        False,
        True,
        True,
        True,
    ]
