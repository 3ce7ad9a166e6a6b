"""Mapping a source file's columns onto its stream's stable schema.

TLC files drift: `Airport_fee` vs `airport_fee`, passenger_count as float64
in one year and int64 in the next, location ids as int32, whole columns typed
null, columns that do not exist yet, and the 2009-2017 layouts with other
names (historic_columns.py) and text codes (code_maps.py). Downstream tables
must not drift with them, so every batch is renamed and converted to the
schema's types here, vectorised, and a value that cannot be converted stops
the run with its file, row and column instead of being guessed; a text code
with no numeric counterpart is the one exception, counted instead (code_tally.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import polars as pl
import pyarrow as pa

from singer_lite_core.errors import InputError, where
from tap_nyc_taxi.code_maps import CODE_MAPS, decode
from tap_nyc_taxi.code_tally import CodeTally
from tap_nyc_taxi.historic_columns import HISTORIC_NAMES, folded, is_pandas_index
from tap_nyc_taxi.stream import ColumnType

log = logging.getLogger(__name__)

LINEAGE = ("source_file", "source_row")

_TARGET_DTYPES: dict[ColumnType, pl.DataType] = {
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "string": pl.String(),
    "date-time": pl.Datetime("us"),
}


class ColumnPlan:
    """How one file's columns become one stream's properties."""

    def __init__(
        self,
        stream: str,
        file_name: str,
        column_types: dict[str, ColumnType],
        source_columns: list[str],
        *,
        with_lineage: bool,
        ignore_unknown_columns: bool,
        required: frozenset[str] = frozenset(),
        codes: CodeTally | None = None,
    ) -> None:
        self._stream = stream
        self._file = file_name
        self.codes = codes or CodeTally()
        self._with_lineage = with_lineage
        self._types = {name: kind for name, kind in column_types.items() if not (with_lineage and name in LINEAGE)}
        self._sources = self._match(source_columns, ignore_unknown_columns)
        self._required = required
        missing = sorted(name for name in required & self._types.keys() if name not in self._sources)
        if missing:
            raise InputError(f"{self._file} lacks required column(s) {', '.join(missing)}")
        self._nan_reported: set[str] = set()

    def frame(self, batch: pa.RecordBatch, first_row: int) -> pl.DataFrame:
        """The batch as the stream's columns, in schema order, with the schema's types."""
        source = pl.from_arrow(batch)
        assert isinstance(source, pl.DataFrame)
        height = batch.num_rows
        columns: list[pl.Series] = []
        if self._with_lineage:
            columns.append(pl.repeat(self._file, height, dtype=pl.String, eager=True).alias("source_file"))
            columns.append(
                pl.int_range(first_row + 1, first_row + 1 + height, dtype=pl.Int64, eager=True).alias("source_row")
            )
        for name, kind in self._types.items():
            source_name = self._sources.get(name)
            if source_name is None:
                columns.append(pl.repeat(None, height, dtype=_TARGET_DTYPES[kind], eager=True).alias(name))
                continue
            converted = self._convert(name, source.get_column(source_name), kind, first_row)
            columns.append(converted.alias(name))
        return pl.DataFrame(columns)

    def _match(self, names: list[str], ignore_unknown: bool) -> dict[str, str]:
        historic = HISTORIC_NAMES.get(self._stream, {})
        by_target: dict[str, list[str]] = {}
        for name in names:
            key = folded(name)
            by_target.setdefault(folded(historic.get(key, key)), []).append(name)
        sources: dict[str, str] = {}
        for target in self._types:
            found = by_target.get(folded(target), [])
            if len(found) > 1:
                raise InputError(f"{self._file} has columns {' and '.join(found)}, which both map to {target}")
            if not found:
                log.info("%s: %s has no column %s; emitting null", self._stream, self._file, target)
                continue
            if found[0] != target:
                log.info("%s: %s: reading column %s as %s", self._stream, self._file, found[0], target)
            sources[target] = found[0]
        lineage = set(LINEAGE) if self._with_lineage else set()
        skipped = lineage | {name for name in names if is_pandas_index(name)}
        for name in sorted(skipped - lineage):
            log.info("%s: %s: skipping column %s, the index pandas wrote the file with", self._stream, self._file, name)
        unknown = [name for name in names if name not in sources.values() and name not in skipped]
        if unknown and not ignore_unknown:
            raise InputError(
                f"{self._file} has column(s) {', '.join(unknown)} that the stream schema does not "
                "know; set ignore_unknown_columns to drop them"
            )
        for name in unknown:
            log.warning("%s: %s: dropping unknown column %s", self._stream, self._file, name)
        return sources

    def _convert(self, target: str, series: pl.Series, kind: ColumnType, first_row: int) -> pl.Series:
        converted, bad = _CONVERTERS[kind](series)
        code_map = CODE_MAPS.get(target)
        decoded = None if code_map is None else decode(code_map, series, converted, bad)
        if decoded is not None:
            self.codes.heard(decoded, self._stream, target, series, self._file, first_row)
            converted, bad = decoded.values, None
        if bad is not None and bad.any():
            index = int(bad.arg_true()[0])
            self._fail(first_row + index, series.name, f"cannot read {series[index]!r} as {kind}")
        if target in self._required and converted.null_count():
            self._fail(
                first_row + int(converted.is_null().arg_true()[0]), series.name, "is empty but the stream key needs it"
            )
        if kind == "number" and series.name not in self._nan_reported and converted.is_nan().any():
            self._nan_reported.add(series.name)
            log.warning(
                "%s: %s column %s holds NaN; emitting null (JSON has no NaN)", self._stream, self._file, series.name
            )
        return converted

    def _fail(self, row_index: int, column: str, problem: str) -> None:
        raise InputError(f"{where(source=self._file, row=row_index + 1, column=column)}: {problem}")


Conversion = tuple[pl.Series, pl.Series | None]


def _lost(source: pl.Series, converted: pl.Series) -> pl.Series:
    """Rows where a value was present but did not survive conversion."""
    return source.is_not_null() & converted.is_null()


def _to_integer(series: pl.Series) -> Conversion:
    dtype = series.dtype
    if dtype == pl.Null:
        return series.cast(pl.Int64), None
    if dtype.is_integer() or dtype == pl.Boolean:
        converted = series.cast(pl.Int64, strict=False)
        return converted, _lost(series, converted)
    if dtype.is_float():
        return _integral_floats(series)
    if dtype == pl.String:
        text = series.str.strip_chars()
        as_int = text.cast(pl.Int64, strict=False)
        missed = _lost(text, as_int)
        if not missed.any():
            return as_int, None
        from_float, bad = _integral_floats(text.cast(pl.Float64, strict=False))
        merged = pl.select(pl.when(missed).then(from_float).otherwise(as_int)).to_series()
        return merged, _lost(text, merged) | bad
    return series, pl.Series([True] * len(series))


def _integral_floats(series: pl.Series) -> Conversion:
    floats = series.cast(pl.Float64)
    fractional = floats.is_not_null() & (~floats.is_finite() | (floats != floats.floor()) | (floats.abs() >= 2.0**63))
    integers = pl.select(pl.when(fractional).then(None).otherwise(floats)).to_series().cast(pl.Int64)
    return integers, fractional


def _to_number(series: pl.Series) -> Conversion:
    dtype = series.dtype
    if dtype == pl.Null or dtype.is_float() or dtype.is_integer():
        return series.cast(pl.Float64), None
    if dtype.is_decimal():
        return series.cast(pl.Float64), None
    if dtype == pl.String:
        converted = series.str.strip_chars().cast(pl.Float64, strict=False)
        return converted, _lost(series, converted)
    return series, pl.Series([True] * len(series))


def _to_datetime(series: pl.Series) -> Conversion:
    dtype = series.dtype
    if dtype == pl.Null:
        return series.cast(pl.Datetime("us")), None
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return series.cast(pl.Datetime("us")), None
    if dtype == pl.Date:
        return series.cast(pl.Datetime("us")), None
    if dtype == pl.String:
        text = series.str.strip_chars()
        converted = text.str.to_datetime(time_unit="us", strict=False)
        if isinstance(converted.dtype, pl.Datetime) and converted.dtype.time_zone is not None:
            converted = converted.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return converted, _lost(text, converted)
    return series, pl.Series([True] * len(series))


def _to_string(series: pl.Series) -> Conversion:
    if series.dtype == pl.String:
        return series, None
    return series.cast(pl.String), None


_CONVERTERS: dict[ColumnType, Callable[[pl.Series], Conversion]] = {
    "integer": _to_integer,
    "number": _to_number,
    "date-time": _to_datetime,
    "string": _to_string,
}
