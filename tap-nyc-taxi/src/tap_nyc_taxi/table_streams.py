"""Streams read whole on every run: the taxi zone lookup, and the course-rating tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from singer_lite_core.errors import InputError, where
from tap_nyc_taxi.remote_files import RemoteFiles
from tap_nyc_taxi.remote_versions import Absent
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import open_source, source_of
from tap_nyc_taxi.stream import Partition, Stream, file_reader

Location = Callable[[TapConfig], str | None]
"""The setting that gives a stream's file (a path or URL), read off the config."""


class ReferenceFileStream(Stream):
    """A table published as one file at a path or URL, such as the TLC's taxi zone lookup CSV."""

    def __init__(self, name: str, location: Location) -> None:
        super().__init__(name)
        self._location = location

    def is_configured(self, config: TapConfig) -> bool:
        return bool(self._location(config))

    def partitions(self, config: TapConfig, remote: RemoteFiles) -> Iterator[Partition]:
        location = self._location(config)
        assert location, f"{self.name} has no file configured"
        opened = open_source(source_of(location), remote)
        if isinstance(opened, Absent):
            raise InputError(f"{where(source=location)}: {opened.answer}")
        yield Partition(file_reader(opened, remote, config.batch_rows))


class CourseRatingStream(ReferenceFileStream):
    """A table of the DataCamp course-rating case study: its CSV when one is given, else its table in
    course_rating_database (the case study keeps the data in PostgreSQL)."""

    def __init__(self, name: str, location: Location, table: str) -> None:
        super().__init__(name, location)
        self._table = table

    def is_configured(self, config: TapConfig) -> bool:
        return super().is_configured(config) or bool(config.course_rating_database)

    def partitions(self, config: TapConfig, remote: RemoteFiles) -> Iterator[Partition]:
        database = config.course_rating_database
        if self._location(config) or not database:
            yield from super().partitions(config, remote)
            return
        from tap_nyc_taxi.sql_tables import SqlTableReader  # noqa: PLC0415 - SQLAlchemy takes 0.15 s to import; most runs read CSVs

        columns, order_by = list(self.schema["properties"]), self.key_properties
        yield Partition(lambda: SqlTableReader(database, self._table, columns, order_by, config.batch_rows))
