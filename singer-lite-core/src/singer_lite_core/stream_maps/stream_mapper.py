"""Which streams a source stream becomes, with what schema, key and records (singer-sdk's PluginMapper).

A source stream becomes, in order: its own mapped self (unchanged, mapped
by the map keyed by its name or a glob matching it, or dropped by a null
map or a top-level `__else__: null`), then one stream per map whose
`__source__` names it. Each output stream is a MappedStream, which maps one
record (the targets) or a whole Arrow table (the tap). STATE is none of
this: it stays keyed by the source stream, as in singer-sdk.
"""

from __future__ import annotations

import copy
import fnmatch
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import simpleeval

from singer_lite_core.errors import ConfigError, ConnectorError, where
from singer_lite_core.stream_maps.columnar import (
    Columns,
    Compiled,
    NotColumnar,
    compile_columnar,
    evaluate_columnar,
    truthiness,
)
from singer_lite_core.stream_maps.expressions import WHOLE_RECORD_NAMES, Expression, MapContext
from singer_lite_core.stream_maps.flattening import Flattening
from singer_lite_core.stream_maps.property_types import computed_property_schema
from singer_lite_core.stream_maps.settings import StreamMapSettings

log = logging.getLogger(__name__)

ELSE = "__else__"
FILTER = "__filter__"
SOURCE = "__source__"
ALIAS = "__alias__"
KEY_PROPERTIES = "__key_properties__"
NULL = "__NULL__"
# singer-sdk's PropertiesList().to_dict(): where an `__else__: null` map starts its schema.
_EMPTY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "$schema": "https://json-schema.org/draft/2020-12/schema",
}


def _is_null(value: Any) -> bool:
    return value is None or value == NULL


class MapFailed(ConnectorError):
    """An expression failed on a row; `row` is its index in the batch the caller gave."""

    def __init__(self, message: str, row: int) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class _Computed:
    name: str
    expression: Expression | None  # None drops the property
    columnar: Compiled | None = None


@dataclass
class MappedStream:
    """One output stream of a source stream: its name, schema and key, and how its records are made."""

    alias: str
    schema: dict[str, Any]
    key_properties: list[str] | None
    removed: bool = False
    include_by_default: bool = True
    filter: Expression | None = None
    properties: list[_Computed] = field(default_factory=list)
    context: MapContext | None = None
    flattening: Flattening | None = None
    _filter_columnar: Compiled | None = None

    def __post_init__(self) -> None:
        if self.filter is not None:
            self._filter_columnar = compile_columnar(self.filter.node)
        for computed in self.properties:
            if computed.expression is not None:
                computed.columnar = compile_columnar(computed.expression.node)

    def evaluation(self) -> str:
        """Which expressions the tap computes on whole columns and which record by record, for the log."""
        parts = [(FILTER, self._filter_columnar)] if self.filter is not None else []
        parts += [(repr(c.name), c.columnar) for c in self.properties if c.expression is not None]
        return ", ".join(f"{name} {'vectorised' if compiled else 'per record'}" for name, compiled in parts)

    @property
    def is_identity(self) -> bool:
        """Records pass as they are: the stream's data path need not change."""
        return not self.removed and self.filter is None and not self.properties and self.flattening is None

    def record(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        """The mapped record, or None when the stream drops it (singer-sdk's transform)."""
        if self.removed:
            return None
        if self.filter is not None and not self._evaluate(self.filter, record, None, 0, FILTER):
            return None
        if self.include_by_default:
            result = dict(record)
        else:
            result = {k: record[k] for k in self.key_properties or () if k in record}
        for computed in self.properties:
            if computed.expression is None:
                result.pop(computed.name, None)
            else:
                result[computed.name] = self._evaluate(computed.expression, record, computed.name, 0, computed.name)
        if not result:
            return None  # singer-sdk drops a record that has no property left
        return self.flattening.record(result, self.schema) if self.flattening is not None else result

    def table(self, table: pa.Table) -> pa.Table | None:
        """The mapped rows of a batch, or None when none are left; a
        MapFailed's row is an index into `table`."""
        if self.removed:
            return None
        positions: pa.Array | None = None
        if self.filter is not None:
            mask = self._mask(table)
            if not pc.all(mask).as_py():
                positions = pc.indices_nonzero(mask)
                table = table.filter(mask)
            if table.num_rows == 0:
                return None
        columns: dict[str, pa.Array | pa.ChunkedArray] = (
            dict(zip(table.column_names, table.columns, strict=True))
            if self.include_by_default
            else {k: table.column(k) for k in self.key_properties or () if k in table.column_names}
        )
        for computed in self.properties:
            if computed.expression is None:
                columns.pop(computed.name, None)
                continue
            values = self._columnar(computed.columnar, table, computed.name)
            if values is None:
                rows = _records_read_by(computed.expression, computed.name, table)
                values = self._row_values(computed.expression, rows, computed.name, positions)
            columns[computed.name] = values
        # singer-sdk drops a record that has no property left.
        return pa.table(columns) if columns else None

    def _mask(self, table: pa.Table) -> pa.Array | pa.ChunkedArray:
        assert self.filter is not None
        values = self._columnar(self._filter_columnar, table, None)
        if values is not None:
            try:
                return truthiness(values)
            except NotColumnar:
                pass
        rows = _records_read_by(self.filter, None, table)
        return pa.array([bool(v) for v in self._each(self.filter, rows, None, None, FILTER)], pa.bool_())

    def _columnar(
        self, compiled: Compiled | None, table: pa.Table, name: str | None
    ) -> pa.Array | pa.ChunkedArray | None:
        if compiled is None:
            return None
        assert self.context is not None
        try:
            return evaluate_columnar(compiled, Columns(table, self.context, name))
        except NotColumnar:
            return None

    def _row_values(
        self, expression: Expression, rows: list[dict[str, Any]], name: str, positions: pa.Array | None
    ) -> pa.Array:
        values = self._each(expression, rows, name, positions, name)
        try:
            return pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            raise MapFailed(
                f"stream map {self.alias!r}: property {name!r}: expression {expression.text!r} gives values "
                "of different types in one batch",
                int(positions[0].as_py()) if positions is not None and len(positions) else 0,
            ) from None

    def _each(
        self,
        expression: Expression,
        rows: list[dict[str, Any]],
        name: str | None,
        positions: pa.Array | None,
        what: str,
    ) -> list[Any]:
        values = []
        for i, row in enumerate(rows):
            at = int(positions[i].as_py()) if positions is not None else i
            values.append(self._evaluate(expression, row, name, at, what))
        return values

    def _evaluate(
        self, expression: Expression, record: Mapping[str, Any], name: str | None, row: int, what: str
    ) -> Any:
        assert self.context is not None
        try:
            return expression.evaluate(record, self.context, name)
        except Exception as error:  # noqa: BLE001 - any failure of a user's expression is that row's error
            part = "__filter__" if what == FILTER else f"property {what!r}"
            raise MapFailed(
                f"stream map {self.alias!r}: {part}: expression {expression.text!r} failed: "
                f"{type(error).__name__}: {str(error)[:200]}",
                row,
            ) from None


def _records_read_by(expression: Expression, name: str | None, table: pa.Table) -> list[dict[str, Any]]:
    """The batch's records as the expression reads them: only the properties it names (and its own,
    for `self`), unless it reads the whole record; building dicts of wide records costs most here."""
    if expression.names & WHOLE_RECORD_NAMES:
        read = table.column_names
    else:
        read = [c for c in table.column_names if c in expression.names or c == name]
    if not read:
        return [{} for _ in range(table.num_rows)]
    records: list[dict[str, Any]] = table.select(read).to_pylist()
    return records


class StreamMapper:
    """The stream_maps setting, checked once; `outputs` applies it to each source stream's SCHEMA."""

    def __init__(self, settings: StreamMapSettings) -> None:
        self._config = settings.config
        self._flattening = settings.flattening
        maps = dict(settings.stream_maps)
        self._drop_others = False
        if ELSE in maps:
            if not _is_null(maps[ELSE]):
                raise ConfigError(f"stream_maps: '{ELSE}' may only be null (drop every other stream)")
            self._drop_others = True
            maps.pop(ELSE)
        for key, definition in maps.items():
            if key.startswith("__"):
                raise ConfigError(f"stream_maps: option {key!r} is not expected")
            if not (isinstance(definition, dict) or _is_null(definition)):
                raise ConfigError(f"stream_maps: stream {key!r} must map to an object or null")
        self._maps = maps

    def outputs(
        self, stream: str, schema: Mapping[str, Any], key_properties: Sequence[str] | None
    ) -> list[MappedStream]:
        """The streams `stream` becomes, in singer-sdk's order; the first is its own mapped self."""
        keys = list(key_properties) if key_properties is not None else None
        outputs = [self._default(stream, schema, keys)]
        for map_key, value in self._maps.items():
            definition = dict(value) if isinstance(value, dict) else value
            source, alias, primary = map_key, map_key, True
            if isinstance(definition, dict):
                if SOURCE in definition:
                    source, primary = definition.pop(SOURCE), False
                elif ALIAS in definition:
                    alias = _alias(definition.pop(ALIAS), stream)
            if stream != source:
                if not fnmatch.fnmatch(stream, source):
                    continue
                alias = stream if alias == source else alias
            if isinstance(definition, dict):
                mapped = self._custom(stream, alias, definition, schema, keys)
            else:
                mapped = MappedStream(alias, copy.deepcopy(dict(schema)), None, removed=True)
            if primary:
                outputs[0] = mapped
            else:
                outputs.append(mapped)
        return outputs

    def _default(self, stream: str, schema: Mapping[str, Any], keys: list[str] | None) -> MappedStream:
        flattened = self._flattening.schema(schema) if self._flattening is not None else dict(schema)
        return MappedStream(stream, flattened, keys, removed=self._drop_others, flattening=self._flattening)

    def _custom(
        self, stream: str, alias: str, definition: dict[str, Any], raw: Mapping[str, Any], keys: list[str] | None
    ) -> MappedStream:
        try:
            return self._compile(stream, alias, definition, raw, keys)
        except ConfigError as error:
            raise ConfigError(f"{where(stream)}: {error}") from None

    def _compile(
        self, stream: str, alias: str, definition: dict[str, Any], raw: Mapping[str, Any], keys: list[str] | None
    ) -> MappedStream:
        label = f"stream map {alias!r}"
        raw_properties = dict(raw.get("properties") or {})
        filter_text = definition.pop(FILTER, None)
        if filter_text is not None and not isinstance(filter_text, str):
            raise ConfigError(f"{label}: {FILTER} must be an expression (a string)")
        expression_filter = Expression(filter_text, f"{label}: {FILTER}") if filter_text is not None else None
        if KEY_PROPERTIES in definition:
            keys = definition.pop(KEY_PROPERTIES)
            if keys is not None and not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
                raise ConfigError(f"{label}: {KEY_PROPERTIES} must be a list of property names or null")
        include_by_default = True
        if ELSE in definition:
            if not _is_null(definition.pop(ELSE)):
                raise ConfigError(f"{label}: {ELSE} may only be null (drop every property not named)")
            include_by_default = False
        schema: dict[str, Any] = copy.deepcopy(dict(raw) if include_by_default else _EMPTY_SCHEMA)
        properties: dict[str, Any] = schema.setdefault("properties", {})
        computed: list[_Computed] = []
        for name, value in definition.items():
            if _is_null(value):
                if name in (keys or ()):
                    raise ConfigError(
                        f"{label}: key property {name!r} cannot be removed; set {KEY_PROPERTIES} "
                        "to other names, or to null for no key"
                    )
                properties.pop(name, None)
                if "required" in schema:
                    schema["required"] = [r for r in schema["required"] if r != name]
                computed.append(_Computed(name, None))
            elif isinstance(value, str):
                expression = Expression(value, f"{label}: property {name!r}")
                expression.check_names(raw_properties)
                existing = properties.get(name) or raw_properties.get(value)
                properties[name] = computed_property_schema(value, existing, raw)
                computed.append(_Computed(name, expression))
            else:
                raise ConfigError(f"{label}: property {name!r} must be an expression (a string) or null")
        if expression_filter is not None:
            expression_filter.check_names(raw_properties)
        for key in keys or ():
            if key not in properties:
                raise ConfigError(f"{label}: key property {key!r} is not a property of the mapped stream")
        if self._flattening is not None:
            schema = self._flattening.schema(schema)
        mapped = MappedStream(
            alias,
            schema,
            keys,
            include_by_default=include_by_default,
            filter=expression_filter,
            properties=computed,
            context=MapContext(self._config, alias, stream),
            flattening=self._flattening,
        )
        if mapped.evaluation():
            log.info("%s: stream map %r: %s", where(stream), alias, mapped.evaluation())
        return mapped


def _alias(expression: Any, stream: str) -> str:
    """An `__alias__` may be an expression of `__stream_name__`; text that names nothing is the alias itself."""
    if not isinstance(expression, str):
        raise ConfigError(f"stream_maps: {ALIAS} of stream {stream!r} must be a string")
    try:
        alias = simpleeval.EvalWithCompoundTypes(names={"__stream_name__": stream}).eval(expression)
    except simpleeval.NameNotDefined:
        return expression
    except (simpleeval.InvalidExpression, SyntaxError):
        raise ConfigError(f"stream_maps: {ALIAS} {expression!r} of stream {stream!r} does not parse") from None
    if not isinstance(alias, str):
        raise ConfigError(f"stream_maps: {ALIAS} {expression!r} of stream {stream!r} is not a stream name")
    return alias
