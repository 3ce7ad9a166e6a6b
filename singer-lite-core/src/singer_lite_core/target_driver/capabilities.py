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

BatchFormat = Literal["csv", "parquet", "binary"]


@dataclass(frozen=True)
class IdentifierRules:
    """Which names a database takes as they are, beyond their length and case.

    `disallowed_characters` is a regular-expression character class; a
    mapped name has each of them replaced by `replacement` (at most one
    character). Without `leading_digit_allowed` a name must start with a
    letter or `_` (a mapped one is given a leading `_`). A name starting with
    one of `reserved_prefixes` (compared without case) belongs to the
    database (a mapped one is given a leading `x_`). `max_table_name_length`
    is for databases whose table names may be longer than column names. The
    defaults describe a database that quotes names: anything but NUL goes.
    """

    disallowed_characters: str = r"\x00"
    replacement: str = ""
    leading_digit_allowed: bool = True
    reserved_prefixes: tuple[str, ...] = ()
    max_table_name_length: int | None = None


@dataclass(frozen=True)
class DecimalType:
    """A fixed-point column type: `precision` digits in all, `scale` of them after the point."""

    precision: int
    scale: int


@dataclass(frozen=True)
class LoaderCapabilities:
    """`decimal`: the type a DECIMAL column has, None for one that holds any
    number of digits. `wide_decimal`: the type a DECIMAL column is widened
    to (logical type WIDE_DECIMAL) once a value needs more digits than
    `decimal` holds, None if there is none (a value that fits neither is
    then refused by the loader, naming its row).
    `decimal_holds_nan_and_infinity`: whether its decimal types hold NaN,
    Infinity and -Infinity (a JSON Schema number may be any of them); where
    they do not, such a value is loaded as NULL, with a warning per stream
    and column giving the count, since no exact number stands for it.
    `max_identifier_length` counts `identifier_length_unit`s.
    `case_insensitive_identifiers`: two names that differ only in case are
    the same column. `preferred_batch_format`: how the loader hands a batch
    to the database: "csv" is text that the database parses (so a float64
    arrives as its shortest round-trip text), "parquet" typed columnar data,
    "binary" typed values the loader encodes in the database's own binary
    format (so decimals travel as Arrow decimals, never as doubles).
    `identifier_rules`: the characters and prefixes a name may have as it is.
    `typed_timestamps`: the loader takes a TIMESTAMP column as Arrow
    timestamp[us, UTC] as well as the ISO 8601 text taps send, so a parquet
    batch's timestamps reach it as they are, never formatted to text and
    parsed back.
    """

    decimal: DecimalType | None
    max_identifier_length: int
    identifier_length_unit: Literal["bytes", "chars"]
    case_insensitive_identifiers: bool
    preferred_batch_format: BatchFormat
    wide_decimal: DecimalType | None = None
    decimal_holds_nan_and_infinity: bool = False
    identifier_rules: IdentifierRules = IdentifierRules()
    typed_timestamps: bool = False
