"""Reading the course-rating tables from a SQL database, as Arrow batches.

The DataCamp case study keeps the data in PostgreSQL tables `courses` and
`rating`; going through SQLAlchemy accepts any database it speaks to, and
streaming results keeps memory flat on a large rating table. The TLS
settings (course_rating_database_ssl_*) become libpq parameters handed to
psycopg2 at connect time, on top of whatever the URL spells itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg2
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from singer_lite_core.errors import ConfigError, InputError, where
from singer_lite_core.libpq_tls import TlsOptions, tls_hint
from tap_nyc_taxi.settings import DATABASE_TLS_PREFIX, CourseRatingDatabase
from tap_nyc_taxi.table_readers import rows_from


class SqlTableReader:
    def __init__(
        self,
        database: CourseRatingDatabase,
        table: str,
        columns: Sequence[str],
        order_by: Sequence[str],
        batch_rows: int,
    ) -> None:
        self.name = f"table {table}"
        url = database.url
        try:
            if "://" in url:
                engine_url = sa.make_url(_with_installed_driver(url))
                tls = _url_tls_arguments(engine_url, database.tls)
                self._engine = sa.create_engine(engine_url, connect_args=tls)
            else:
                dsn = database.tls.added_to_dsn(url, "course_rating_database")
                self._engine = sa.create_engine("postgresql+psycopg2://", creator=lambda: psycopg2.connect(dsn))
        except (ArgumentError, ImportError) as error:
            raise ConfigError(f"course_rating_database is not a usable database URL: {error}") from None
        self._database = _safe_url(url)
        preparer = self._engine.dialect.identifier_preparer
        self._query = sa.text(
            f"SELECT {', '.join(map(preparer.quote, columns))} FROM {preparer.quote(table)}"
            f" ORDER BY {', '.join(map(preparer.quote, order_by))}"
        )
        self._columns = list(columns)
        self._batch_rows = batch_rows

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def batches(self, start_row: int) -> Iterator[tuple[int, pa.RecordBatch]]:
        try:
            with self._engine.connect() as connection:
                result = connection.execution_options(yield_per=self._batch_rows).execute(self._query)
                yield from rows_from((_to_batch(rows, self._columns) for rows in result.partitions()), start_row)
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            hint = tls_hint(detail, DATABASE_TLS_PREFIX)
            raise InputError(f"{where(source=f'{self._database} {self.name}')}: {detail}{hint}") from None
        finally:
            self._engine.dispose()


def _to_batch(rows: Sequence[sa.Row[Any]], columns: list[str]) -> pa.RecordBatch:
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pa.RecordBatch.from_arrays([pa.array(list(column)) for column in values], names=columns)


def _url_tls_arguments(url: sa.URL, tls: TlsOptions) -> dict[str, str]:
    """The TLS settings as psycopg2 connect arguments, which libpq merges over
    the URL's own (settings.py has made sure the URL is PostgreSQL's)."""
    if not tls.is_set:
        return {}
    spelled = {key: value for key, value in url.query.items() if isinstance(value, str)}
    return tls.libpq_parameters(spelled)


def _with_installed_driver(url: str) -> str:
    """libpq spells postgres://, and SQLAlchemy 2.1 picks psycopg 3 for a bare postgresql://;
    the tap ships psycopg2, so a URL that names no driver gets that one."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg2://{rest}"
    return url


def _safe_url(url: str) -> str:
    """Where the tables are, for error messages, without the password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "course_rating_database"
