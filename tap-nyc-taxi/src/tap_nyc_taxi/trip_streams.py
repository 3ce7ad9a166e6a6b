"""Trip streams: one per taxi type, a partition per monthly file, bookmarked by the rows done in each."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from tap_nyc_taxi.http_fetch import HttpFetcher
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import open_source
from tap_nyc_taxi.stream import Partition, Stream, file_reader
from tap_nyc_taxi.taxi_types import TaxiType
from tap_nyc_taxi.trip_files import trip_files

log = logging.getLogger(__name__)


class TripStream(Stream):
    replication_key = "source_row"
    lineage = True

    def __init__(self, taxi_type: TaxiType) -> None:
        super().__init__(taxi_type.stream)
        self.taxi_type = taxi_type

    def is_configured(self, config: TapConfig) -> bool:
        return self.taxi_type.name in config.taxi_types

    def partitions(self, config: TapConfig, fetcher: HttpFetcher) -> Iterator[Partition]:
        """Each file pinned to its current version; a month not published yet (404) ends the stream."""
        for source in trip_files(config, self.taxi_type):
            opened = open_source(source, fetcher)
            if opened is None:
                log.info("%s: %s is not published yet (404); stream ends here", self.name, source.location)
                return
            yield Partition(file_reader(opened, fetcher, config.batch_rows), opened)
