"""The text codes of the TLC's earlier layouts, read as the data dictionary's codes.

The 2009 and 2010 yellow files spell vendors and payment types as text in
mixed case ('VTS', 'CASH', 'Cash', 'CRD', 'No Charge'), and store-and-forward
as 0/1; today's schema holds the data dictionary's numeric codes and Y/N.
A code with no counterpart in the dictionary (the 2009-2010 vendor DDS,
Digital Dispatch Systems, has none) keeps its row with a null value: it is
counted, not fatal, because one odd code must not stop a month of trips.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class CodeMap:
    """One stable column's text codes: folded text -> the dictionary's code, and what each code means."""

    codes: dict[str, int | str]
    meanings: dict[int | str, str]
    only_text: frozenset[str] = frozenset()
    """Values that need no reading (today's Y/N flags): a batch holding only these is left as it is."""

    def describe(self, code: int | str) -> str:
        return f"{code!r} ({self.meanings[code]})"


@dataclass(frozen=True)
class Decoded:
    """A column after its text codes were read: which source texts were read as which code, which had none."""

    code_map: CodeMap
    values: pl.Series
    mapped: dict[str, int | str]
    unmapped: pl.Series
    """Rows whose value had no code; they hold null in `values`."""


VENDOR_CODES = CodeMap(
    {"cmt": 1, "vts": 2},
    {1: "Creative Mobile Technologies", 2: "VeriFone"},
)
PAYMENT_CODES = CodeMap(
    {
        "credit": 1,
        "cre": 1,
        "crd": 1,
        "cash": 2,
        "cas": 2,
        "csh": 2,
        "no charge": 3,
        "no": 3,
        "noc": 3,
        "dispute": 4,
        "dis": 4,
        "unknown": 5,
        "unk": 5,
        "voided": 6,
    },
    {1: "credit card", 2: "cash", 3: "no charge", 4: "dispute", 5: "unknown", 6: "voided trip"},
)
STORE_AND_FORWARD_CODES = CodeMap(
    {"1": "Y", "0": "N", "y": "Y", "n": "N", "true": "Y", "false": "N"},
    {"Y": "store and forward trip", "N": "not a store and forward trip"},
    only_text=frozenset({"Y", "N"}),
)

CODE_MAPS: dict[str, CodeMap] = {
    "VendorID": VENDOR_CODES,
    "payment_type": PAYMENT_CODES,
    "store_and_fwd_flag": STORE_AND_FORWARD_CODES,
}
"""Per stable column, in every stream that has it."""


def decode(code_map: CodeMap, source: pl.Series, converted: pl.Series, bad: pl.Series | None) -> Decoded | None:
    """Read the text codes among the rows the plain conversion could not read, or None when there are none.

    Only rows that need it are looked up, so today's numeric files pay nothing.
    """
    rows = _rows_to_read(code_map, source, bad)
    if rows is None:
        return None
    text = _code_text(source)
    looked_up = text.str.to_lowercase().replace_strict(code_map.codes, default=None, return_dtype=converted.dtype)
    values = pl.select(pl.when(rows).then(looked_up).otherwise(converted)).to_series().alias(converted.name)
    read = rows & looked_up.is_not_null()
    mapped_texts = text.filter(read).unique().to_list()
    mapped = {value: code_map.codes[value.lower()] for value in mapped_texts}
    return Decoded(code_map, values, mapped, rows & looked_up.is_null() & text.is_not_null())


def _rows_to_read(code_map: CodeMap, source: pl.Series, bad: pl.Series | None) -> pl.Series | None:
    if code_map.only_text:
        if source.dtype == pl.String:
            usual = source.is_null()
            for text in code_map.only_text:
                usual = usual | (source == text)
            return None if usual.all() else ~usual
        if source.dtype.is_numeric() or source.dtype == pl.Boolean:
            return source.is_not_null()
        return None
    if bad is None or not bad.any():
        return None
    return bad


def _code_text(source: pl.Series) -> pl.Series:
    """The value as the text a code map holds: stripped, and 1.0 written as 1."""
    if source.dtype == pl.String:
        text = source.str.strip_chars()
        text = pl.select(pl.when(text.str.len_chars() > 0).then(text)).to_series()
        return _whole_numbers_as_integers(text.cast(pl.Float64, strict=False), text)
    if source.dtype.is_float():
        return _whole_numbers_as_integers(source, source.cast(pl.String))
    return source.cast(pl.String)


def _whole_numbers_as_integers(numbers: pl.Series, text: pl.Series) -> pl.Series:
    """'1.0' as '1', the spelling the maps hold, whether the file typed it as a float or wrote it in a CSV."""
    whole = numbers.is_finite() & (numbers == numbers.floor())
    as_integer = numbers.cast(pl.Int64, strict=False).cast(pl.String)
    return pl.select(pl.when(whole).then(as_integer).otherwise(text)).to_series()
