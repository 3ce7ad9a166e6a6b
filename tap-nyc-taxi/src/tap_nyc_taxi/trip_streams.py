"""Trip streams: one per taxi type, a partition per monthly file, bookmarked by the rows done in each."""

from __future__ import annotations

from collections.abc import Iterator

from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.stream import Partition, Stream, file_reader
from tap_nyc_taxi.taxi_types import TaxiType
from tap_nyc_taxi.trip_files import trip_files


class TripStream(Stream):
    replication_key = "source_row"
    lineage = True
    split_by_month = True

    def __init__(self, taxi_type: TaxiType) -> None:
        super().__init__(taxi_type.stream)
        self.taxi_type = taxi_type

    def is_configured(self, config: TapConfig) -> bool:
        return self.taxi_type.name in config.taxi_types

    def partitions(self, config: TapConfig, remote: RemoteFiles) -> Iterator[Partition]:
        """Each file pinned to its current version; trip_files says where the months end."""
        for opened in trip_files(config, self.taxi_type, remote):
            yield Partition(file_reader(opened, remote, config.batch_rows), opened)
