"""Writing Arrow tables as CSV the way the TLC and the reference data sets publish them."""

from __future__ import annotations

import gzip as gzip_format
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

# Level 6 is gzip's own default: a fraction of level 9's time for nearly the same size.
_GZIP_LEVEL = 6


def _with_tlc_timestamps(table: pa.Table) -> pa.Table:
    """Whole-second `YYYY-MM-DD HH:MM:SS` text, as in the TLC's CSV downloads, whatever the Arrow unit."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            text = table.column(index).cast(pa.timestamp("s")).cast(pa.string())
            table = table.set_column(index, field.name, text)
    return table


def write_csv(table: pa.Table, path: Path, *, quote_strings: bool, gzip: bool = False) -> None:
    """Write a header row and the rows, nulls as empty fields.

    The TLC's trip CSVs quote nothing; the zone lookup quotes every string,
    header included. Gzip output carries no timestamp, so the same seed gives
    byte-identical files (and stable ETags when served).
    """
    quoting = "needed" if quote_strings else "none"
    options = pa_csv.WriteOptions(quoting_style=quoting, quoting_header=quoting)
    table = _with_tlc_timestamps(table)
    if gzip:
        with (
            open(path, "wb") as raw,
            gzip_format.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=_GZIP_LEVEL, mtime=0) as compressed,
        ):
            pa_csv.write_csv(table, compressed, options)
    else:
        pa_csv.write_csv(table, str(path), options)
