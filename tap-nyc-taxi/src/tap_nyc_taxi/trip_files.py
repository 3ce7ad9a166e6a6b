"""Which monthly trip files a run reads, in month order, each pinned to its version.

The TLC publishes `<type>_tripdata_YYYY-MM.parquet` (see taxi_types); older downloads and
mirrors carry `.csv` or `.csv.gz` of the same name. A local source or a bucket prefix is
listed (directory, glob or prefix); an http(s) source cannot be listed, so its names are
built from the configured months, as a template's are (source_forms).

A built name that is not there means one of three things. A month within the
publication lag (the TLC publishes a month about two months after it ends) is not
published yet: the stream ends there, cleanly. A month that should be published but is
missing between present ones is a gap, worth a warning. A source where not one month
that should be published exists is a wrong source, and fails rather than look like an
empty success.

With the `shard` setting, a run reads only its shard's months (shards.py), and
all of the above is judged over those months alone: a source is wrong when
none of this shard's months is there, and a shard with no month in the range
has nothing to read, which is no error.
"""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from singer_lite_core.errors import ConfigError, InputError, where
from tap_nyc_taxi.months import Month, months_between, this_month
from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.remote_versions import Absent
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import OpenedFile, SourceFile, open_source, source_of
from tap_nyc_taxi.source_forms import builds_names, is_bucket, location_for
from tap_nyc_taxi.taxi_types import TaxiType

log = logging.getLogger(__name__)

FORMATS = (".parquet", ".csv.gz", ".csv")
TLC_PUBLICATION_LAG_MONTHS = 2
"""A month this many months before the current one, or later, may not be published yet."""


def trip_files(config: TapConfig, taxi_type: TaxiType, remote: RemoteFiles) -> Iterator[OpenedFile]:
    if builds_names(config.source):
        yield from _built_trip_files(config, taxi_type, remote)
        return
    for source in _listed_trip_files(config, taxi_type, remote):
        opened = open_source(source, remote)
        if isinstance(opened, Absent):
            raise InputError(f"{where(source=source.location)}: listed, then gone: {opened.answer}")
        yield opened


def file_name_pattern(taxi_type: TaxiType) -> re.Pattern[str]:
    """`<prefix>_YYYY-MM<format>`, capturing the month and the format."""
    formats = "|".join(map(re.escape, FORMATS))
    return re.compile(rf"^{re.escape(taxi_type.file_prefix)}_(\d{{4}}-\d{{2}})({formats})$")


def may_be_unpublished(month: Month, today: Month) -> bool:
    """Whether the TLC may not have published `month` yet, as of the month `today`."""
    return today.ordinal - month.ordinal <= TLC_PUBLICATION_LAG_MONTHS


def _built_trip_files(config: TapConfig, taxi_type: TaxiType, remote: RemoteFiles) -> Iterator[OpenedFile]:
    assert config.start_month is not None
    stream, today = taxi_type.stream, this_month()
    published = [m for m in months_between(config.start_month, config.end_month) if taxi_type.is_published(m)]
    months = [m for m in published if config.shard.owns(m)]
    if published and not months:
        log.info(
            "%s: no month from %s to %s falls to %s; nothing to read",
            stream,
            config.start_month,
            config.end_month,
            config.shard,
        )
        return
    missing: list[tuple[Month, Absent]] = []
    found = False
    for month in months:
        opened = open_source(source_of(location_for(config.source, taxi_type, month)), remote)
        if isinstance(opened, OpenedFile):
            _warn_gap(stream, missing)
            missing, found = [], True
            yield opened
        elif not may_be_unpublished(month, today):
            missing.append((month, opened))
        elif missing and not found:
            break
        else:
            _warn_gap(stream, missing)
            log.info(
                "%s: %s answered %s: %s is not published yet (the TLC publishes about %d months late); "
                "stream ends here",
                stream,
                opened.location,
                opened.answer,
                month,
                TLC_PUBLICATION_LAG_MONTHS,
            )
            return
    if missing and not found:
        first = missing[0][1]
        of_shard = f" of {config.shard}" if config.shard.is_split else ""
        raise InputError(
            f"{where(source=first.location)}: {first.answer}, and no month{of_shard} from {missing[0][0]} to "
            f"{missing[-1][0]} is there; is 'source' right?"
        )
    _warn_gap(stream, missing)


def _warn_gap(stream: str, missing: list[tuple[Month, Absent]]) -> None:
    if not missing:
        return
    (first_month, first), last_month = missing[0], missing[-1][0]
    months = str(first_month) if len(missing) == 1 else f"{len(missing)} months, {first_month} to {last_month},"
    log.warning("%s: %s missing though published by now: %s answered %s", stream, months, first.location, first.answer)


def _listed_trip_files(config: TapConfig, taxi_type: TaxiType, remote: RemoteFiles) -> list[SourceFile]:
    candidates = remote.list(config.source) if is_bucket(config.source) else _local_candidates(config.source)
    pattern = file_name_pattern(taxi_type)
    by_month: dict[Month, list[tuple[int, str]]] = {}
    other_shards_have_files = False
    for candidate in candidates:
        match = pattern.match(candidate.rstrip("/").rsplit("/", 1)[-1])
        if not match or not _in_range(month := Month.parse(match.group(1)), config):
            continue
        if config.shard.owns(month):
            by_month.setdefault(month, []).append((FORMATS.index(match.group(2)), candidate))
        else:
            other_shards_have_files = True
    chosen = []
    for month in sorted(by_month):
        files = [source_of(location) for _, location in sorted(by_month[month])]
        if len(files) > 1:
            log.info("%s: reading %s, ignoring %s", month, files[0].name, ", ".join(f.name for f in files[1:]))
        chosen.append(files[0])
    if not chosen and other_shards_have_files:
        log.info(
            "%s: none of the %s trip files in %s falls to %s; nothing to read",
            taxi_type.stream,
            taxi_type.name,
            config.source,
            config.shard,
        )
    elif not chosen:
        log.warning("no %s trip files in %s for the configured months", taxi_type.name, config.source)
    return chosen


def _local_candidates(source_setting: str) -> list[str]:
    source = Path(source_setting).expanduser()
    if source.is_dir():
        return [str(p) for p in source.iterdir()]
    if glob.has_magic(source_setting):
        return glob.glob(str(source))
    if source.is_file():
        return [str(source)]
    raise ConfigError(
        f"source {source_setting} is neither a directory, a file nor a glob, nor an http(s), gs:// or s3:// URL"
    )


def _in_range(month: Month, config: TapConfig) -> bool:
    return (config.start_month is None or config.start_month <= month) and month <= config.end_month
