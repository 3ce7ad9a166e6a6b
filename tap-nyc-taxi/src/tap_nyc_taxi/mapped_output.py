"""RECORD output through stream maps: each frame becomes the rows of every stream its source maps to.

The frame is first made what its RECORD lines would carry (timestamps as
RFC 3339 text, NaN as null), so that expressions see the values singer-sdk's
mapper would see in those records. A frame's mapped rows for every output
stream are written before `sent` says where the partition stands, so a STATE
never runs ahead of any of them. A stream nothing maps (or only renames) passes
through as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl

from singer_lite_core.errors import InputError, where
from singer_lite_core.stream_maps.stream_mapper import MapFailed, MappedStream, StreamMapper
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi.frame_output import Sent
from tap_nyc_taxi.record_encoder import encode_records, json_properties


class MappedRecordOutput:
    """A FrameOutput for stream maps; `outputs` says (and remembers) what a source stream maps to."""

    def __init__(self, writer: SingerWriter, mapper: StreamMapper) -> None:
        self._writer = writer
        self._mapper = mapper
        self._outputs: dict[str, Sequence[MappedStream]] = {}

    def outputs(self, stream: str, schema: Mapping[str, Any], key_properties: Sequence[str]) -> list[MappedStream]:
        outputs = self._mapper.outputs(stream, schema, key_properties)
        self._outputs[stream] = outputs
        return outputs

    @contextmanager
    def partition(self, stream: str, source: str, sent: Sent) -> Iterator[_MappedPartition]:
        yield _MappedPartition(self._writer, stream, self._outputs[stream], source, sent)


class _MappedPartition:
    def __init__(
        self, writer: SingerWriter, stream: str, outputs: Sequence[MappedStream], source: str, sent: Sent
    ) -> None:
        self._writer, self._outputs, self._source, self._sent = writer, outputs, source, sent
        self._unmapped = len(outputs) == 1 and outputs[0].is_identity

    def write(self, frame: pl.DataFrame, first_row: int) -> None:
        if self._unmapped:
            self._writer.record_lines(encode_records(self._outputs[0].alias, frame))
        else:
            table = frame.select(json_properties(frame)).to_arrow(compat_level=pl.CompatLevel.oldest())
            for output in self._outputs:
                try:
                    mapped = output.table(table)
                except MapFailed as error:
                    raise InputError(f"{where(source=self._source, row=first_row + error.row + 1)}: {error}") from None
                if mapped is not None and mapped.num_rows:
                    mapped_frame = pl.from_arrow(mapped)
                    assert isinstance(mapped_frame, pl.DataFrame)
                    self._writer.record_lines(encode_records(output.alias, mapped_frame))
        self._sent(first_row + frame.height)
