"""Which monthly trip files a run reads, in month order.

The TLC publishes `<type>_tripdata_YYYY-MM.parquet`; older downloads and
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

log = logging.getLogger(__name__)

FORMATS = (".parquet", ".csv.gz", ".csv")
_NAME = re.compile(r"^(yellow|green|fhv)_tripdata_(\d{4}-\d{2})(\.parquet|\.csv\.gz|\.csv)$")


def trip_files(config: TapConfig, taxi_type: str) -> list[SourceFile]:
    if config.is_remote_source:
        assert config.start_month is not None
        base = config.source.rstrip("/")
        months = months_between(config.start_month, config.end_month)
        return [SourceFile(name, f"{base}/{name}") for name in (f"{taxi_type}_tripdata_{m}.parquet" for m in months)]
    return _local_trip_files(config, taxi_type)


def _local_trip_files(config: TapConfig, taxi_type: str) -> list[SourceFile]:
    source = Path(config.source).expanduser()
    if source.is_dir():
        candidates = [str(p) for p in source.iterdir()]
    elif glob.has_magic(config.source):
        candidates = glob.glob(str(source))
    elif source.is_file():
        candidates = [str(source)]
    else:
        raise ConfigError(f"source {config.source} is neither a directory, a file, a glob nor an http(s) URL")
    by_month: dict[str, list[Path]] = {}
    for candidate in map(Path, candidates):
        match = _NAME.match(candidate.name)
        if match and match.group(1) == taxi_type and _in_range(match.group(2), config):
            by_month.setdefault(match.group(2), []).append(candidate)
    chosen = []
    for month in sorted(by_month):
        paths = sorted(by_month[month], key=lambda p: FORMATS.index(_NAME.match(p.name).group(3)))  # type: ignore[union-attr]
        if len(paths) > 1:
            log.info("%s: reading %s, ignoring %s", month, paths[0].name, ", ".join(p.name for p in paths[1:]))
        chosen.append(SourceFile(paths[0].name, str(paths[0])))
    if not chosen:
        log.warning("no %s trip files in %s for the configured months", taxi_type, config.source)
    return chosen


def _in_range(text: str, config: TapConfig) -> bool:
    month = Month.parse(text)
    return (config.start_month is None or config.start_month <= month) and month <= config.end_month
