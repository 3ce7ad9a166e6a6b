"""What a SCHEMA message says about one stream, in the neutral type model.

Targets never look at JSON Schema again after this point: they see named
columns of logical types and the key, which is what DDL and loading need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from singer_lite_core.errors import InputError, where
from singer_lite_core.target_driver.logical_types import LogicalType, logical_type


@dataclass(frozen=True)
class Column:
    name: str
    type: LogicalType


@dataclass(frozen=True)
class StreamSchema:
    """Columns in SCHEMA order, then those added since (metadata, record
    fields), and the key, if any.

    `json_schema` is kept for record validation and for what it says of
    fields it does not declare (additionalProperties). `added` names the
    columns added for such record fields (undeclared_fields add-column): they
    stay in the stream's schema for the rest of the run, whatever later
    SCHEMA messages say.
    """

    stream: str
    columns: tuple[Column, ...]
    key_properties: tuple[str, ...]
    json_schema: Mapping[str, Any]
    added: frozenset[str] = frozenset()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def with_columns(self, columns: Sequence[Column]) -> StreamSchema:
        return replace(self, columns=tuple(columns))

    def with_extra(self, extra: Sequence[Column]) -> StreamSchema:
        """Append columns the stream does not have yet; existing ones win."""
        known = set(self.names)
        return self.with_columns([*self.columns, *(c for c in extra if c.name not in known)])

    def with_record_fields(self, fields: Sequence[Column]) -> StreamSchema:
        """Append columns for record fields the SCHEMA does not declare; a
        field it does declare keeps its declared column."""
        known = set(self.names)
        new = [c for c in fields if c.name not in known]
        return replace(self.with_extra(new), added=self.added | {c.name for c in new})

    @property
    def record_fields(self) -> tuple[Column, ...]:
        """The columns added for record fields (`added`)."""
        return tuple(c for c in self.columns if c.name in self.added)

    @property
    def additional_properties(self) -> bool | Mapping[str, Any]:
        """What the schema allows beyond its properties: False for nothing,
        True for any field (JSON Schema's default), or the schema every such
        field matches."""
        allowed = self.json_schema.get("additionalProperties", True)
        return allowed if isinstance(allowed, (bool, Mapping)) else True


def parse_schema_message(message: Mapping[str, Any], line: int, number_as_float: bool) -> StreamSchema:
    """Build a StreamSchema, refusing schemas no table could be made from."""
    stream = message["stream"]
    schema = message.get("schema")
    at = where(stream, line=line)
    if not isinstance(schema, dict):
        raise InputError(f"{at}: SCHEMA message has no schema object")
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        raise InputError(f"{at}: SCHEMA has no properties, so no columns can be made")
    keys = message.get("key_properties") or []
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise InputError(f"{at}: key_properties must be a list of property names")
    missing = [k for k in keys if k not in properties]
    if missing:
        raise InputError(f"{at}: key properties {missing} are not among the schema's properties")
    columns = tuple(
        Column(name, logical_type(prop if isinstance(prop, dict) else {}, number_as_float))
        for name, prop in properties.items()
    )
    return StreamSchema(stream, columns, tuple(keys), schema)
