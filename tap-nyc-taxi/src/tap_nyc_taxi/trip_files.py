"""Which monthly trip files a run reads, in month order.

The TLC publishes `<type>_tripdata_YYYY-MM.parquet` (see taxi_types); older downloads and
mirrors carry `.csv` or `.csv.gz` of the same name. A local source is listed
(directory or glob); a remote one cannot be listed, so its names are built
from the configured months.
"""

from __future__ import annotations

import glob
import logging
import re
from pathlib import Path

from singer_lite_core.errors import ConfigError
from tap_nyc_taxi.months import Month, months_between
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import SourceFile
from tap_nyc_taxi.taxi_types import TaxiType

log = logging.getLogger(__name__)

FORMATS = (".parquet", ".csv.gz", ".csv")


def trip_files(config: TapConfig, taxi_type: TaxiType) -> list[SourceFile]:
    if config.is_remote_source:
        assert config.start_month is not None
        base = config.source.rstrip("/")
        months = months_between(config.start_month, config.end_month)
        names = (f"{taxi_type.file_prefix}_{month}.parquet" for month in months)
        return [SourceFile(name, f"{base}/{name}") for name in names]
    return _local_trip_files(config, taxi_type)


def file_name_pattern(taxi_type: TaxiType) -> re.Pattern[str]:
    """`<prefix>_YYYY-MM<format>`, capturing the month and the format."""
    formats = "|".join(map(re.escape, FORMATS))
    return re.compile(rf"^{re.escape(taxi_type.file_prefix)}_(\d{{4}}-\d{{2}})({formats})$")


def _local_trip_files(config: TapConfig, taxi_type: TaxiType) -> list[SourceFile]:
    source = Path(config.source).expanduser()
    if source.is_dir():
        candidates = [str(p) for p in source.iterdir()]
    elif glob.has_magic(config.source):
        candidates = glob.glob(str(source))
    elif source.is_file():
        candidates = [str(source)]
    else:
        raise ConfigError(f"source {config.source} is neither a directory, a file, a glob nor an http(s) URL")
    pattern = file_name_pattern(taxi_type)
    by_month: dict[str, list[tuple[int, Path]]] = {}
    for candidate in map(Path, candidates):
        match = pattern.match(candidate.name)
        if match and _in_range(match.group(1), config):
            by_month.setdefault(match.group(1), []).append((FORMATS.index(match.group(2)), candidate))
    chosen = []
    for month in sorted(by_month):
        paths = [path for _, path in sorted(by_month[month])]
        if len(paths) > 1:
            log.info("%s: reading %s, ignoring %s", month, paths[0].name, ", ".join(p.name for p in paths[1:]))
        chosen.append(SourceFile(paths[0].name, str(paths[0])))
    if not chosen:
        log.warning("no %s trip files in %s for the configured months", taxi_type.name, config.source)
    return chosen


def _in_range(text: str, config: TapConfig) -> bool:
    month = Month.parse(text)
    return (config.start_month is None or config.start_month <= month) and month <= config.end_month
