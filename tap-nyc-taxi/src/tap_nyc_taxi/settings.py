"""The tap's settings: declared once, they drive parsing, `--about` and redaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from singer_lite_core.errors import ConfigError
from singer_lite_core.libpq_tls import TlsOptions, tls_settings
from singer_lite_core.settings import Setting, load_config
from singer_lite_core.stream_maps.settings import STREAM_MAP_SETTINGS, StreamMapSettings
from tap_nyc_taxi.batch_config import BatchConfig, read_batch_config
from tap_nyc_taxi.months import Month, this_month
from tap_nyc_taxi.shards import Shard, read_shard
from tap_nyc_taxi.source_forms import builds_names
from tap_nyc_taxi.taxi_types import TAXI_TYPE_NAMES, YELLOW

ENV_PREFIX = "TAP_NYC_TAXI"
TLC_TRIP_DATA = "https://d37ci6vzurychx.cloudfront.net/trip-data"
TLC_ZONE_LOOKUP = "https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv"
# The tap also downloads over HTTPS, so its database TLS settings say whose they are.
DATABASE_TLS_PREFIX = "course_rating_database_"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "source",
        "string",
        "Where the TLC-named trip files are: a local directory, a glob, one file, an http(s) base URL, a gs:// or"
        " s3:// prefix, or a template of a URL or path with {taxi_type}, {year} and {month} (YYYY-MM) and the"
        " files' extension, e.g. https://github.com/DataTalksClub/nyc-tlc-data/releases/download/{taxi_type}/"
        "{taxi_type}_tripdata_{month}.csv.gz.",
        TLC_TRIP_DATA,
    ),
    Setting(
        "taxi_types",
        "array",
        f"Trip streams to read, of {', '.join(TAXI_TYPE_NAMES[:-1])} and {TAXI_TYPE_NAMES[-1]}.",
        [YELLOW.name],
        choices=TAXI_TYPE_NAMES,
    ),
    Setting(
        "start_month",
        "string",
        "First month to read (YYYY-MM). Required for an http(s) source or a template; for listed files (a"
        " directory, a glob, a bucket prefix), defaults to all found.",
    ),
    Setting(
        "end_month",
        "string",
        "Last month to read (YYYY-MM); defaults to the current month. A missing month within the TLC's publication"
        " lag (two months) ends the stream cleanly; a source with none of the months fails.",
    ),
    Setting(
        "shard",
        "object",
        'Read one part of the trip files, for N runs side by side: {"count": N, "index": i}, i from 0 to N-1.'
        " A month goes to shard (year*12 + month - 1) % N, so adding months never moves a file to another shard;"
        " only shard 0 reads the streams that are not split by month (taxi_zones, courses, ratings)."
        " Unset: one run reads everything.",
    ),
    Setting("zone_lookup", "string", "Path or URL of the taxi zone lookup CSV.", TLC_ZONE_LOOKUP),
    Setting("courses", "string", "Path or URL of courses.csv (course_id, title, description, programming_language)."),
    Setting("ratings", "string", "Path or URL of ratings.csv (user_id, course_id, rating)."),
    Setting(
        "course_rating_database",
        "string",
        "SQLAlchemy or libpq URL of a database with tables courses and rating; used for any of the two CSVs not given.",
        secret=True,
    ),
    *tls_settings(DATABASE_TLS_PREFIX),
    Setting("cache_dir", "string", "Where downloaded files are kept between runs.", "~/.cache/tap-nyc-taxi"),
    Setting("state_every_rows", "integer", "Emit a STATE at least every this many records.", 100_000),
    Setting("batch_rows", "integer", "Rows read and encoded per batch; memory grows with it.", 65_536),
    Setting(
        "http_retries", "integer", "Attempts for a download that fails transiently (connection reset, 429, 5xx).", 5
    ),
    Setting("http_backoff_seconds", "number", "First wait between download attempts; doubles each time.", 1.0),
    Setting("http_timeout_seconds", "number", "Connect and read timeout of one HTTP request.", 60.0),
    Setting(
        "ignore_unknown_columns",
        "boolean",
        "Drop source columns the stream schema does not know (logged) instead of failing.",
        False,
    ),
    Setting(
        "batch_config",
        "object",
        "Write batch files and BATCH messages instead of RECORDs, as singer-sdk taps do:"
        ' {"encoding": {"format": "parquet" or "jsonl", "compression": "gzip" or "none"},'
        ' "storage": {"root": a directory, file:// or fsspec URL, "prefix": file name prefix},'
        ' "batch_size": rows per file (10000)}.',
    ),
    *STREAM_MAP_SETTINGS,
)


@dataclass(frozen=True)
class CourseRatingDatabase:
    """Where the course-rating tables are, and the TLS to reach them with."""

    url: str
    tls: TlsOptions


@dataclass(frozen=True)
class TapConfig:
    source: str
    taxi_types: tuple[str, ...]
    start_month: Month | None
    end_month: Month
    shard: Shard
    zone_lookup: str
    courses: str | None
    ratings: str | None
    course_rating_database: CourseRatingDatabase | None
    cache_dir: Path
    state_every_rows: int
    batch_rows: int
    http_retries: int
    http_backoff_seconds: float
    http_timeout_seconds: float
    ignore_unknown_columns: bool
    batch_config: BatchConfig | None
    stream_maps: StreamMapSettings = field(default_factory=StreamMapSettings)


def read_tap_config(paths: list[str]) -> TapConfig:
    raw: dict[str, Any] = load_config(paths, ENV_PREFIX, SETTINGS)
    start = _month_setting(raw, "start_month")
    end = _month_setting(raw, "end_month") or this_month()
    if start and start > end:
        raise ConfigError(f"start_month {raw['start_month']} is after end_month {raw['end_month']}")
    for name in ("state_every_rows", "batch_rows", "http_retries"):
        if raw[name] < 1:
            raise ConfigError(f"setting {name!r} must be at least 1")
    config = TapConfig(
        source=raw["source"],
        taxi_types=tuple(dict.fromkeys(raw["taxi_types"])),
        start_month=start,
        end_month=end,
        shard=read_shard(raw["shard"]),
        zone_lookup=raw["zone_lookup"],
        courses=raw["courses"],
        ratings=raw["ratings"],
        course_rating_database=_course_rating_database(raw),
        cache_dir=Path(raw["cache_dir"]).expanduser(),
        state_every_rows=raw["state_every_rows"],
        batch_rows=min(raw["batch_rows"], raw["state_every_rows"]),
        http_retries=raw["http_retries"],
        http_backoff_seconds=float(raw["http_backoff_seconds"]),
        http_timeout_seconds=float(raw["http_timeout_seconds"]),
        ignore_unknown_columns=raw["ignore_unknown_columns"],
        batch_config=read_batch_config(raw["batch_config"]),
        stream_maps=StreamMapSettings.from_config(raw),
    )
    if config.stream_maps.active and config.batch_config is not None:
        # singer-sdk announces its batch files unmapped under each mapped name; refusing is kinder.
        raise ConfigError("settings 'stream_maps' and 'batch_config' cannot be used together: maps apply to RECORDs")
    if builds_names(config.source) and config.start_month is None:
        raise ConfigError("setting 'start_month' is required when 'source' is an http(s) URL or a template")
    return config


def _month_setting(raw: dict[str, Any], name: str) -> Month | None:
    if not raw[name]:
        return None
    try:
        return Month.parse(raw[name])
    except ValueError:
        raise ConfigError(f"setting {name!r} must look like YYYY-MM, got {raw[name]!r}") from None


def _course_rating_database(raw: dict[str, Any]) -> CourseRatingDatabase | None:
    """The database and its TLS, checked together: TLS settings for no database,
    or for one that is not PostgreSQL, are a mistake to report before reading."""
    url = raw["course_rating_database"]
    tls = TlsOptions.from_config(raw, DATABASE_TLS_PREFIX)
    if tls.is_set:
        if not url:
            raise ConfigError(f"settings {tls.setting_names()} are set, but 'course_rating_database' is not")
        scheme, separator, _ = url.partition("://")
        dialect = scheme.split("+")[0]
        if separator and dialect not in ("postgresql", "postgres"):
            raise ConfigError(f"settings {tls.setting_names()} apply to PostgreSQL only, not {dialect}")
    return CourseRatingDatabase(url, tls) if url else None
