"""Record fields the stream's SCHEMA does not declare, and the columns made for them.

JSON Schema allows a record fields its properties do not list unless the
schema's additionalProperties is false, and taps send them (an API that
grew a field, a schema written by hand), so such a record is valid and
loads. What becomes of the field is the undeclared_fields setting:

- add-column (the default, which loses nothing): the stream gets a column
  for it by the same widening as a value too wide for its column
  (WiderTypeNeeded, handled by the runner). Its type is that of the
  schema's additionalProperties when that is a schema; otherwise it comes
  from the field's values in the block (logical_types.values_type), and a
  later value of another JSON type widens the column again rather than
  being refused, since no schema said what the field holds.
- drop: its values are dropped, counted for one warning per stream and field.
- fail: the run stops, naming the stream, line and field.

With additionalProperties false such a record is invalid, and is refused
whatever the setting. The target's own metadata columns (_sdc_*) count as
declared when the stream has them.

Blocks holding such fields are decoded record by record (the Arrow reader
refuses fields its schema does not list); once a field has its column the
stream's blocks read fast again, unless the column is JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from singer_lite_core.errors import InputError
from singer_lite_core.target_driver.logical_types import LogicalType, logical_type, value_type, values_type
from singer_lite_core.target_driver.stream_schema import StreamSchema
from singer_lite_core.target_driver.target_settings import UndeclaredFields


class RecordFields:
    """The fields of one block's records beyond the stream's columns, and the
    values of columns typed from values that their type does not hold."""

    def __init__(self, stream: StreamSchema, policy: UndeclaredFields, number_as_float: bool) -> None:
        self._declared = frozenset(stream.names)
        self._policy = policy
        self._number_as_float = number_as_float
        allowed = stream.additional_properties
        self._allowed = allowed is not False
        self._schema_type = logical_type(allowed, number_as_float) if isinstance(allowed, Mapping) else None
        self.typed_by_values = stream.added if self._schema_type is None else frozenset()
        self._types = {c.name: c.type for c in stream.columns}
        # Column -> JSON types of its values that need it added or widened,
        # in the order the fields first appear.
        self._needing: dict[str, set[LogicalType]] = {}
        self.dropped: Counter[str] = Counter()

    def check(self, record: dict[str, Any], line_no: int, at: Callable[[int], str]) -> None:
        """Refuse, count or note the fields of `record` that have no column;
        `at` spells where line (or file row) `line_no` is."""
        if record.keys() <= self._declared:
            return
        undeclared = [name for name in record if name not in self._declared]
        self._refuse(undeclared[0], at(line_no))
        for name in undeclared:
            value = record[name]
            self._note(name, value_type(value, self._number_as_float), int(value is not None))

    def check_column(self, name: str, kind: LogicalType | None, values: int, at: str) -> None:
        """As `check`, for a field a column of a parquet BATCH file holds in
        every row: `kind` is the type of its values (None when all are null),
        `values` how many are not null."""
        self._refuse(name, at)
        self._note(name, kind, values)

    def _refuse(self, name: str, at: str) -> None:
        if not self._allowed:
            raise InputError(
                f"{at}: field {name!r} is not declared in the stream's SCHEMA, whose additionalProperties is false"
            )
        if self._policy == UndeclaredFields.FAIL:
            raise InputError(
                f"{at}: field {name!r} is not declared in the stream's SCHEMA; send a SCHEMA that "
                "declares it, or set undeclared_fields to add-column or drop"
            )

    def _note(self, name: str, kind: LogicalType | None, values: int) -> None:
        if self._policy == UndeclaredFields.DROP:
            if values:
                self.dropped[name] += values
            return
        types = self._needing.setdefault(name, set())
        if kind is not None:
            types.add(kind)

    def misfit(self, column: str, value: object) -> bool:
        """Note a value its column's type refused; False if the column is not
        typed from values, where the refusal stands."""
        kind = value_type(value, self._number_as_float)
        assert kind is not None, "null fits every column"
        return self.misfit_kind(column, kind)

    def misfit_kind(self, column: str, kind: LogicalType) -> bool:
        """As `misfit`, for values of type `kind` (a parquet column's)."""
        if column not in self.typed_by_values:
            return False
        self._needing.setdefault(column, {self._types[column]}).add(kind)
        return True

    def needs(self) -> dict[str, LogicalType]:
        """The columns to add or widen before the block can be decoded, with
        the type each needs."""
        return {name: self._schema_type or values_type(types) for name, types in self._needing.items()}
