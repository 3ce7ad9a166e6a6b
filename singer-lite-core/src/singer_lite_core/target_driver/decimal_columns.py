"""How DECIMAL values travel from the decoder to a loader, chosen from what its database takes.

A database with a fixed-point decimal type (LoaderCapabilities.decimal, say
38 digits with 9 after the point) gets Arrow decimals of exactly that type,
which the loader hands on as they are; WIDE_DECIMAL columns get its wide
type. A value that the column's type cannot hold exactly but the wide type
can means the column must be widened first (WiderTypeNeeded); a value that
no type holds (1e400) stays text, for the loader to refuse naming its row.

NaN and +-Infinity, which taps send as JSON Schema numbers, become NULL
(counted, for the runner's warning) where the database's decimal types hold
no such values (LoaderCapabilities.decimal_holds_nan_and_infinity): there
is no exact number to store instead, and refusing the load would stop every
later record for the sake of one value that carries no amount. Where they
do, they travel as the text "NaN", "Infinity", "-Infinity" or as doubles.

A database whose decimal type holds any number of digits gets, when batches
travel as text (CSV), float64 whenever no number of the batch has more than
15 significant digits: the shortest round-trip text of such a double, which
is what a CSV writer prints, is exactly the decimal that was sent, and
doubles parse and print several times faster than decimals. (Arrow's
float64 -> decimal cast is not exact, so typed batches never travel as
doubles.) Otherwise it gets exact decimals at the narrowest scale that keeps
every value of the batch, since such a database keeps the scale it is given
(7.08 must not arrive as 7.080000000), or, from the per-record path, the
exact text.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from singer_lite_core.target_driver.capabilities import DecimalType, LoaderCapabilities
from singer_lite_core.target_driver.logical_types import LogicalType, WiderTypeNeeded

# The reader's type for exact decimals when the database sets no precision:
# 128 bits hold 38 digits; 9 after the point leave room for any 64-bit integer
# and ten more digits. Other values take the per-record path, exact as text.
ANY_PRECISION_READ_TYPE = pa.decimal128(38, 9)
# The texts record_values gives the values no finite decimal stands for.
NON_FINITE_TEXTS = pa.array(["NaN", "-NaN", "sNaN", "-sNaN", "Infinity", "-Infinity"])
# Scales tried, smallest first, before keeping the read type's own; a few
# steps keep the search cheap, and cover money, rates and most measures.
NARROW_SCALES = (0, 1, 2, 3, 4, 6)
# A double's 15 significant digits are exactly its decimal's (DBL_DIG).
_FIFTEEN_DIGITS = 1e15


def arrow_type(decimal: DecimalType) -> pa.DataType:
    if decimal.precision <= 38:
        return pa.decimal128(decimal.precision, decimal.scale)
    return pa.decimal256(decimal.precision, decimal.scale)


class DecimalColumns:
    """The representation of DECIMAL and WIDE_DECIMAL columns for one database."""

    def __init__(self, capabilities: LoaderCapabilities) -> None:
        self._decimal = capabilities.decimal
        self._wide = capabilities.wide_decimal
        self._holds_non_finite = capabilities.decimal_holds_nan_and_infinity
        # The reader takes NaN and Infinity as doubles but as no decimal, so
        # a database that cannot hold them gets decimals read, and any such
        # value goes the per-record way to from_texts.
        self._doubles_travel = capabilities.preferred_batch_format == "csv" and self._holds_non_finite

    def read_type(self, kind: LogicalType, long_digits: bool) -> pa.DataType:
        """The Arrow reader's type for the column in a block of lines;
        `long_digits` is RecordLines.long_digits of any of them."""
        if self._decimal is None:
            return pa.float64() if self._doubles_travel and not long_digits else ANY_PRECISION_READ_TYPE
        return arrow_type(self._column_type(kind))

    def from_reader(self, values: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
        """The column the Arrow reader produced, as the loader gets it.
        Narrowing costs a few numpy passes per array whatever its length, and
        the reader makes a chunk of every block of lines, so the chunks are
        joined first."""
        if self._decimal is None and pa.types.is_decimal(values.type):
            return _narrowest(values.combine_chunks())
        return values

    def from_texts(self, column: str, kind: LogicalType, texts: list[str | None] | pa.Array) -> tuple[pa.Array, int]:
        """The column from the per-record path's exact decimal texts (or a
        parquet column of them), and how many NaN or Infinity values in it
        became NULL."""
        text = texts if isinstance(texts, pa.Array) else pa.array(texts, pa.string())
        nulled = 0
        if not self._holds_non_finite:
            non_finite = pc.is_in(text, value_set=NON_FINITE_TEXTS)
            nulled = pc.sum(non_finite).as_py() or 0
            if nulled:
                text = pc.if_else(non_finite, pa.scalar(None, pa.string()), text)
        if self._decimal is None:
            return text, nulled
        typed = _cast(text, arrow_type(self._column_type(kind)))
        if typed is not None:
            return typed, nulled
        if kind == LogicalType.DECIMAL and self._wide is not None and _cast(text, arrow_type(self._wide)) is not None:
            raise WiderTypeNeeded({column: LogicalType.WIDE_DECIMAL})
        return text, nulled

    def from_arrow(self, column: str, kind: LogicalType, values: pa.Array) -> tuple[pa.Array, int] | None:
        """A parquet column of numbers as the loader gets the column, and how
        many values became NULL; None for values that are not numbers.
        Decimals and integers convert exactly by Arrow's casts; doubles as
        their shortest round-trip text, which is the number the tap had
        (computed in numpy where it can be, see shortest_decimals)."""
        arrow = values.type
        if pa.types.is_decimal(arrow) or pa.types.is_integer(arrow):
            if self._decimal is None:
                if pa.types.is_integer(arrow):
                    return values.cast(pa.decimal128(20, 0)), 0
                return (_narrowest(values) if pa.types.is_decimal128(arrow) else values.cast(pa.string())), 0
            typed = _cast(values, arrow_type(self._column_type(kind)))
            if typed is not None:
                return typed, 0
            wide = None if kind != LogicalType.DECIMAL or self._wide is None else arrow_type(self._wide)
            if wide is not None and _cast(values, wide) is not None:
                raise WiderTypeNeeded({column: LogicalType.WIDE_DECIMAL})
            return values.cast(pa.string()), 0
        if pa.types.is_floating(arrow):
            if self._decimal is None and self._doubles_travel:
                return values.cast(pa.float64()), 0
            shortest = shortest_decimals(values)
            if shortest is None:
                return self._exact(*self.from_texts(column, kind, _float_texts(values)))
            return (shortest, 0) if self._decimal is None else self.from_arrow(column, kind, shortest)
        if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
            return self._exact(*self.from_texts(column, kind, values.cast(pa.string())))
        return None

    def _exact(self, values: pa.Array, nulled: int) -> tuple[pa.Array, int]:
        """For a database of any precision, number texts as the exact decimals
        the Arrow reader would have made of them (at the narrowest scale), as
        RECORD lines of the same numbers get them; text where they do not fit."""
        if self._decimal is None and pa.types.is_string(values.type):
            exact = _cast(values, ANY_PRECISION_READ_TYPE)
            if exact is not None:
                return _narrowest(exact), nulled
        return values, nulled

    def _column_type(self, kind: LogicalType) -> DecimalType:
        assert self._decimal is not None
        if kind == LogicalType.WIDE_DECIMAL and self._wide is not None:
            return self._wide
        return self._decimal


def _cast(values: pa.Array, arrow: pa.DataType) -> pa.Array | None:
    """The values in `arrow`, None unless every one of them fits exactly."""
    try:
        return values.cast(arrow)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def shortest_decimals(values: pa.Array) -> pa.Array | None:
    """Doubles as the decimals of their shortest round-trip texts, at the
    narrowest scale of ANY_PRECISION_READ_TYPE's that keeps every one (the
    type RECORD lines of the same numbers get); None when a value is not
    finite or its text may need more than 15 significant digits, which the
    texts then decide.

    Formatting a million doubles and parsing the texts back costs a few
    hundred milliseconds; this costs a few numpy passes. It is exact: for
    integers n below 10**15 (15 digits), n / 10**scale correctly rounded is
    the double nearest the decimal n·10**-scale, so a double equal to it is
    that decimal's double; and since no two decimals of at most 15
    significant digits share a double, that decimal is the double's shortest
    text (which has no more digits) in value.
    """
    whole_digits = ANY_PRECISION_READ_TYPE.precision - ANY_PRECISION_READ_TYPE.scale
    if values.null_count == len(values):
        # A column the source leaves empty (a fee of later years) is common, and needs no numbers.
        return pa.nulls(len(values), pa.decimal128(whole_digits, 0))
    doubles = values.cast(pa.float64())
    x = doubles.fill_null(0).to_numpy(zero_copy_only=False)
    # NaN if any value is NaN, which fails every comparison below, as Infinity does.
    largest = np.abs(x).max(initial=0.0)
    for scale in (*NARROW_SCALES, ANY_PRECISION_READ_TYPE.scale):
        power = 10.0**scale
        # Rounding is monotonic: the largest value has the most digits.
        if not np.rint(largest * power) < _FIFTEEN_DIGITS:
            return None
        # A scale too narrow usually fails at once, so the first values are tried alone.
        if _units(x[:64], power) is None:
            continue
        units = _units(x, power)
        if units is not None:
            return _from_unscaled(doubles, units.astype(np.int64), pa.decimal128(whole_digits + scale, scale))
    return None


def _units(x: np.ndarray, power: float) -> np.ndarray | None:
    """The doubles as whole numbers of 1 / `power`s, if each is one as a decimal."""
    units = np.rint(x * power)
    return units if (units / power == x).all() else None


def _float_texts(values: pa.Array) -> pa.Array:
    """Doubles as the texts record_values gives them: the shortest round-trip
    text, and NaN, Infinity and -Infinity spelt as JSON Schema readers do."""
    text = values.cast(pa.float64()).cast(pa.string())
    text = pc.if_else(pc.is_nan(values), pa.scalar("NaN"), text)
    text = pc.if_else(pc.and_(pc.is_inf(values), pc.greater(values, 0)), pa.scalar("Infinity"), text)
    return pc.if_else(pc.and_(pc.is_inf(values), pc.less(values, 0)), pa.scalar("-Infinity"), text)


def _narrowest(values: pa.Array) -> pa.Array:
    """The decimals at the smallest of NARROW_SCALES that keeps every value
    (printing a decimal at a fitting scale is much cheaper than trimming its
    text), or at their own scale."""
    read = values.type
    whole_digits = read.precision - read.scale
    units = _unscaled(values)
    for scale in NARROW_SCALES:
        if scale >= read.scale:
            break
        narrower_type = pa.decimal128(whole_digits + scale, scale)
        if units is not None:
            # A value keeps k fewer digits after the point exactly when its
            # unscaled integer is a multiple of 10**k; dividing the integers
            # is much cheaper than Arrow's decimal rescaling.
            whole = _divided(units, 10 ** (read.scale - scale))
            if whole is not None:
                return _from_unscaled(values, whole, narrower_type)
            continue
        narrower = pc.cast(values, narrower_type, safe=False)
        if pc.all(pc.equal(narrower, values)).as_py() is not False:
            return narrower
    return values


def _divided(units: np.ndarray, divisor: int) -> np.ndarray | None:
    """The integers divided by `divisor`, if every one is a multiple of it;
    the first few are tried alone, since a scale that does not fit usually
    fails at once. Quotients and remainders come from one pass."""
    if np.any(units[:64] % divisor):
        return None
    whole, rest = np.divmod(units, divisor)
    return None if rest.any() else whole


def _unscaled(values: pa.Array) -> np.ndarray | None:
    """The unscaled integers of 128-bit decimals (0 for NULL), when every one
    fits 64 bits; None otherwise, for Arrow to compare."""
    if not pa.types.is_decimal128(values.type):
        return None
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    words = np.frombuffer(values.buffers()[1], dtype="<i8", count=2 * len(values), offset=16 * values.offset)
    low, high = words[0::2], words[1::2]
    if values.null_count:
        valid = pc.is_valid(values).to_numpy(zero_copy_only=False)
        low, high = np.where(valid, low, 0), np.where(valid, high, 0)
    if not np.array_equal(high, low >> 63):
        return None
    return low


def _from_unscaled(values: pa.Array, units: np.ndarray, arrow: pa.DataType) -> pa.Array:
    """`values`' NULLs, and as its values the decimals of type `arrow` whose unscaled integers are `units`."""
    offset = values.offset
    words = np.empty((offset + len(values), 2), dtype="<i8")
    words[:offset] = 0
    words[offset:, 0] = units
    np.right_shift(units, 63, out=words[offset:, 1])
    validity = values.buffers()[0] if values.null_count else None
    return pa.Array.from_buffers(
        arrow, len(values), [validity, pa.py_buffer(words)], null_count=values.null_count, offset=offset
    )
