"""What a run read through the code maps, told once: each text code's reading, and the codes that had none.

A year of 2009 files holds the same handful of text codes in every file and
millions of rows; the log says once per run which text became which code
(INFO), and ends the run with one WARNING per stream and column counting the
values that had no code, naming where the first one was.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from singer_lite_core.errors import where
from tap_nyc_taxi.code_maps import Decoded

log = logging.getLogger(__name__)

_EXAMPLES = 5


@dataclass
class _Unmapped:
    first: str
    values: Counter[str] = field(default_factory=Counter)
    files: set[str] = field(default_factory=set)


class CodeTally:
    def __init__(self) -> None:
        self._told: set[tuple[str, str, str]] = set()
        self._unmapped: dict[tuple[str, str], _Unmapped] = {}

    def heard(
        self, decoded: Decoded, stream: str, column: str, source: pl.Series, file_name: str, first_row: int
    ) -> None:
        """Take one batch's decoding of `column`, read from `source` in rows first_row... of file_name."""
        for text, code in sorted(decoded.mapped.items()):
            if (stream, column, text) not in self._told:
                self._told.add((stream, column, text))
                log.info(
                    "%s: reading code %r as %s", where(stream, column=column), text, decoded.code_map.describe(code)
                )
        if not decoded.unmapped.any():
            return
        index = int(decoded.unmapped.arg_true()[0])
        first = where(source=file_name, row=first_row + index + 1, column=source.name)
        tally = self._unmapped.setdefault((stream, column), _Unmapped(first))
        tally.files.add(file_name)
        texts = source.filter(decoded.unmapped).cast(pl.String).str.strip_chars()
        tally.values.update(dict(texts.value_counts().iter_rows()))

    def report(self) -> None:
        """One WARNING per stream and column that met values without a code."""
        for (stream, column), tally in self._unmapped.items():
            commonest = sorted(tally.values.items(), key=lambda item: (-item[1], item[0]))[:_EXAMPLES]
            examples = ", ".join(f"{text!r} ({count})" for text, count in commonest)
            log.warning(
                "%s: %d value(s) in %d file(s) have no TLC code and were emitted as null, rows kept: %s; first at %s",
                where(stream, column=column),
                tally.values.total(),
                len(tally.files),
                examples,
                tally.first,
            )
        self._unmapped.clear()
