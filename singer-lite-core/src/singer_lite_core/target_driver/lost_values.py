"""Values a run loads otherwise than they were sent, told once per stream and column.

Two documented choices give up values on purpose: undeclared_fields drop,
and NaN or Infinity where the database's decimal types hold neither (they
become NULL). Either may happen to every record, so a warning per record
would bury the log; each decoded batch's counts are added up here and told
as one warning per stream and column when the run ends, whether it ends
well or not, since batches committed before a failure lost them too.
"""

from __future__ import annotations

import logging
from collections import Counter

from singer_lite_core.errors import where
from singer_lite_core.target_driver.arrow_decode import DecodedRecords

log = logging.getLogger(__name__)


class LostValues:
    def __init__(self) -> None:
        self._dropped: Counter[tuple[str, str]] = Counter()
        self._nulled: Counter[tuple[str, str]] = Counter()

    def count(self, stream: str, decoded: DecodedRecords) -> None:
        for name, dropped in decoded.dropped.items():
            self._dropped[stream, name] += dropped
        for name, nulled in decoded.nulled.items():
            self._nulled[stream, name] += nulled

    def report(self) -> None:
        for (stream, name), count in self._dropped.items():
            log.warning(
                "%s: field %r is not declared in the stream's SCHEMA; its values were dropped from %d records "
                "(undeclared_fields is drop)",
                where(stream),
                name,
                count,
            )
        for (stream, name), count in self._nulled.items():
            log.warning(
                "%s: %d NaN or infinite values were loaded as NULL, as the database's decimal type holds no such "
                "number; set number_as_float to keep them",
                where(stream, column=name),
                count,
            )
