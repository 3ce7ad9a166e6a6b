"""Encoding a batch of rows as Singer RECORD lines, without a per-value Python loop.

The tap must outrun the targets (400k+ rows/s on one core): building a dict
per row and calling json.dumps on it manages about 180k. Polars writes the
whole batch as NDJSON in native code, with the RECORD envelope as two literal
columns around a struct of the record's properties.
"""

from __future__ import annotations

import io

import polars as pl

RFC3339_UTC = "%Y-%m-%dT%H:%M:%S%.fZ"


_ROWS_PER_PIECE = 8192
"""Rows turned into JSON at a time: the text columns Polars builds for a whole
batch at once would take several times the batch's lines (40 MB for 65,536
high-volume FHV rows), and the tap's peak memory with them."""


def encode_records(stream: str, frame: pl.DataFrame) -> bytes:
    """RECORD lines for every row of `frame`, newline-terminated."""
    buffer = io.BytesIO()
    for piece in frame.iter_slices(_ROWS_PER_PIECE):
        envelope = piece.select(
            pl.lit("RECORD").alias("type"),
            pl.lit(stream).alias("stream"),
            pl.struct(json_properties(piece)).alias("record"),
        )
        envelope.write_ndjson(buffer)
    return buffer.getvalue()


def json_properties(frame: pl.DataFrame) -> list[pl.Expr]:
    """The frame's columns as a record body carries them in JSON, RECORD or jsonl batch file alike.

    Timestamps are written as RFC 3339 in UTC with only the fraction digits
    they need; NaN becomes null because JSON has no NaN.
    """
    properties = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            column = column.dt.strftime(RFC3339_UTC)
        elif dtype.is_float():
            column = column.fill_nan(None)
        properties.append(column)
    return properties
