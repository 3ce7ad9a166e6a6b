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


def encode_records(stream: str, frame: pl.DataFrame) -> bytes:
    """RECORD lines for every row of `frame`, newline-terminated.

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
    envelope = frame.select(
        pl.lit("RECORD").alias("type"),
        pl.lit(stream).alias("stream"),
        pl.struct(properties).alias("record"),
    )
    buffer = io.BytesIO()
    envelope.write_ndjson(buffer)
    return buffer.getvalue()
