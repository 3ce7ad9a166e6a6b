"""The forms a `source` setting takes, and how a template becomes one month's location.

A local directory, a glob or one file is listed; so is a plain `gs://` or
`s3://` prefix. An http(s) base URL cannot be listed (the TLC's CloudFront
refuses to), so its names are built from the configured months, exactly as a
template's are: a plain base URL is the template
`<base>/{taxi_type}_tripdata_{month}.parquet`. Templates name the file's own
extension, so a mirror of CSV.gz backups is read as CSV.gz.
"""

from __future__ import annotations

import string
from pathlib import Path

from singer_lite_core.errors import ConfigError
from tap_nyc_taxi.months import Month
from tap_nyc_taxi.taxi_types import TaxiType

PLACEHOLDERS = ("taxi_type", "year", "month")
HTTP_SCHEMES = ("http://", "https://")
BUCKET_SCHEMES = ("gs://", "s3://")


def is_http(location: str) -> bool:
    return location.startswith(HTTP_SCHEMES)


def is_bucket(location: str) -> bool:
    return location.startswith(BUCKET_SCHEMES)


def is_template(source: str) -> bool:
    """Whether `source` has placeholders; unknown ones, or none for the month, are a config error."""
    try:
        fields = {field for _, field, _, _ in string.Formatter().parse(source) if field is not None}
    except ValueError as error:
        raise ConfigError(f"source template {source}: {error}") from None
    if not fields:
        return False
    unknown = sorted(fields - set(PLACEHOLDERS))
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise ConfigError(f"source template {source} has unknown placeholders {unknown}; it may use {known}")
    if "month" not in fields:
        raise ConfigError(f"source template {source} must contain {{month}} (YYYY-MM): one file per month")
    return True


def builds_names(source: str) -> bool:
    """Whether the files' names are built from the months (a template, or a URL that cannot be listed)."""
    return is_http(source) or is_template(source)


def location_for(source: str, taxi_type: TaxiType, month: Month) -> str:
    template = source if is_template(source) else f"{source.rstrip('/')}/{{taxi_type}}_tripdata_{{month}}.parquet"
    location = template.format(taxi_type=taxi_type.name, year=f"{month.year:04d}", month=str(month))
    return location if "://" in location else str(Path(location).expanduser())
