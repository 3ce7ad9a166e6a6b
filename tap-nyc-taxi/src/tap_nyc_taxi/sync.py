"""Running a sync: SCHEMA, then RECORDs in batches, with STATE after every batch.

A STATE follows every batch of records (so at least every state_every_rows
records) and the end of every file; each one is a complete, resumable value,
so whichever one a target last echoed is a safe place to restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from singer_lite_core.errors import InputError
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi.bookmarks import Bookmarks
from tap_nyc_taxi.catalog import Selection
from tap_nyc_taxi.column_mapping import ColumnPlan
from tap_nyc_taxi.http_fetch import HttpFetcher
from tap_nyc_taxi.record_encoder import encode_records
from tap_nyc_taxi.settings import TapConfig
from tap_nyc_taxi.source_files import OpenedFile, open_source, source_of
from tap_nyc_taxi.streams import StreamSpec
from tap_nyc_taxi.table_readers import TableReader, open_table
from tap_nyc_taxi.trip_files import trip_files

log = logging.getLogger(__name__)

_COURSE_TABLES = {"courses": "courses", "ratings": "rating"}


def is_configured(stream: str, taxi_type: str | None, config: TapConfig) -> bool:
    """Whether the settings give this stream a source; unconfigured streams are skipped, not failed."""
    if taxi_type is not None:
        return taxi_type in config.taxi_types
    if stream == "taxi_zones":
        return bool(config.zone_lookup)
    return bool(getattr(config, stream)) or bool(config.course_rating_database)


class Sync:
    def __init__(self, config: TapConfig, bookmarks: Bookmarks, writer: SingerWriter) -> None:
        self._config = config
        self._bookmarks = bookmarks
        self._writer = writer
        self._fetcher = HttpFetcher(
            config.cache_dir, config.http_retries, config.http_backoff_seconds, config.http_timeout_seconds
        )

    def run(self, selections: list[Selection]) -> None:
        for selection in selections:
            spec = selection.spec
            if not is_configured(spec.name, spec.taxi_type, self._config):
                log.info("%s: skipped, no source configured for it", spec.name)
                continue
            self._writer.schema(spec.name, selection.schema(), spec.key_properties, _bookmark_keys(selection))
            try:
                if spec.taxi_type is not None:
                    self._sync_trips(selection)
                else:
                    self._sync_table(selection)
            except InputError as error:
                raise InputError(f"stream {spec.name}: {error}") from None
        self._writer.state(self._bookmarks.value())

    def _sync_trips(self, selection: Selection) -> None:
        stream = selection.spec.name
        incremental = selection.replication == "INCREMENTAL"
        for source in trip_files(self._config, selection.spec.taxi_type or ""):
            opened = open_source(source, self._fetcher)
            if opened is None:
                log.info("%s: %s is not published yet (404); stream ends here", stream, source.location)
                return
            start = self._start_row(stream, opened) if incremental else 0
            if start is None:
                continue

            def advance(rows_done: int, complete: bool, opened: OpenedFile = opened) -> None:
                self._bookmarks.advance(stream, opened.source.name, opened.fingerprint, rows_done, complete)
                self._writer.state(self._bookmarks.value())

            reader = open_table(opened.local_path(self._fetcher), source.name, self._config.batch_rows)
            self._emit(selection, reader, start, with_lineage=True, after_batch=advance if incremental else None)

    def _start_row(self, stream: str, opened: OpenedFile) -> int | None:
        """Where to start in this file, or None when it is done and unchanged."""
        progress = self._bookmarks.progress(stream, opened.source.name)
        if progress is None:
            return 0
        if progress.fingerprint != opened.fingerprint:
            log.info("%s: %s changed since it was bookmarked; reading it from the start", stream, opened.source.name)
            return 0
        if progress.complete:
            log.info("%s: %s already loaded; skipping", stream, opened.source.name)
            return None
        log.info("%s: resuming %s after row %d", stream, opened.source.name, progress.rows_done)
        return progress.rows_done

    def _sync_table(self, selection: Selection) -> None:
        self._emit(selection, self._table_reader(selection.spec), 0, with_lineage=False, after_batch=None)

    def _table_reader(self, spec: StreamSpec) -> TableReader:
        stream = spec.name
        location = self._config.zone_lookup if stream == "taxi_zones" else getattr(self._config, stream)
        if location:
            opened = open_source(source_of(location), self._fetcher)
            if opened is None:
                raise InputError(f"{location} answered 404 Not Found")
            return open_table(opened.local_path(self._fetcher), opened.source.name, self._config.batch_rows)
        assert self._config.course_rating_database is not None
        from tap_nyc_taxi.sql_tables import SqlTableReader  # SQLAlchemy costs 0.15 s to import; most runs never need it

        return SqlTableReader(
            self._config.course_rating_database,
            _COURSE_TABLES[stream],
            list(spec.schema["properties"]),
            spec.key_properties,
            self._config.batch_rows,
        )

    def _emit(
        self,
        selection: Selection,
        reader: TableReader,
        start: int,
        *,
        with_lineage: bool,
        after_batch: Callable[[int, bool], None] | None,
    ) -> None:
        spec = selection.spec
        plan = ColumnPlan(
            spec.name,
            reader.name,
            spec.column_types(),
            reader.columns,
            with_lineage=with_lineage,
            ignore_unknown_columns=self._config.ignore_unknown_columns,
            required=frozenset(spec.key_properties),
        )
        started, rows_done, emitted = time.monotonic(), start, 0
        for first_row, batch in reader.batches(start):
            frame = plan.frame(batch, first_row).select(selection.properties)
            self._writer.record_lines(encode_records(spec.name, frame))
            rows_done, emitted = first_row + batch.num_rows, emitted + batch.num_rows
            if after_batch is not None:
                after_batch(rows_done, False)
        if after_batch is not None:
            after_batch(rows_done, True)
        elapsed = time.monotonic() - started
        log.info(
            "%s: %s: %d records in %.1f s (%.0f/s)",
            spec.name,
            reader.name,
            emitted,
            elapsed,
            emitted / max(elapsed, 1e-9),
        )


def _bookmark_keys(selection: Selection) -> tuple[str, ...]:
    return (
        (selection.spec.replication_key,)
        if selection.replication == "INCREMENTAL" and selection.spec.replication_key
        else ()
    )
