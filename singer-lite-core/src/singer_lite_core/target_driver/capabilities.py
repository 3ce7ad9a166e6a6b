"""What a database can take, declared by its loader and read by the core.

The core decodes, names and evolves columns for every database alike; where
databases differ (how exact a decimal column is, how long and how
case-sensitive a name may be, which file format a batch travels in) the
loader says so here, once, and the core's choices follow from these facts
rather than from switches naming a database (as dlt's destination
capabilities do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BatchFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class LoaderCapabilities:
    """`decimal_precision`/`decimal_scale`: the digits a DECIMAL column holds
    before it must be widened, None for an arbitrary-precision type.
    `max_identifier_length` counts `identifier_length_unit`s.
    `case_insensitive_identifiers`: two names that differ only in case are
    the same column. `preferred_batch_format`: how the loader hands a batch
    to the database (text that the database parses, or typed columnar data).
    """

    decimal_precision: int | None
    decimal_scale: int | None
    max_identifier_length: int
    identifier_length_unit: Literal["bytes", "chars"]
    case_insensitive_identifiers: bool
    preferred_batch_format: BatchFormat
