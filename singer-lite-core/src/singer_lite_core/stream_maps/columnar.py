"""Map expressions over whole Arrow columns, where that gives singer-sdk's answer.

A per-record simpleeval loop runs at roughly a tenth of the tap's speed, so
the expressions users write most (comparisons, boolean logic, arithmetic,
`x or 'default'`, `x is None`, `x in (...)`, `record['x']`, `config['x']`,
`md5`/`sha256`, `int`/`float`/`str`/`bool`, `a if c else b`) are compiled to
pyarrow.compute. Python and Arrow differ on nulls (`None > 1` raises in
Python, is null in Arrow) and on mixed types, so an operation whose operands
hold a null, or whose types would not combine exactly as Python combines
them, raises NotColumnar at run time, and that batch takes the per-record
path, which gives the exact answer or the error. An expression the compiler
does not know (attribute calls, `datetime`, `json`, comprehensions...) is
per-record from the start.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from singer_lite_core.stream_maps.expressions import WHOLE_RECORD_NAMES, MapContext, md5, sha256

Value = Any  # a pa.ChunkedArray / pa.Array (a column), _Record, or a plain Python constant
Compiled = Callable[["Columns"], Value]


class NotColumnar(Exception):
    """This batch's values need the per-record path for this expression."""


class _Record:
    """The whole record (`record`, `_`), which only a subscript makes a column of."""


_RECORD = _Record()
_SCALARS = (type(None), bool, int, float, str)


@dataclass(frozen=True)
class Columns:
    """What a compiled expression reads: the batch, and the expression's context."""

    table: pa.Table
    context: MapContext
    property_name: str | None

    def column(self, name: str) -> pa.ChunkedArray:
        if name not in self.table.column_names:
            raise NotColumnar(name)
        return self.table.column(name)


def compile_columnar(node: ast.expr) -> Compiled | None:
    """The expression as a function of a batch, or None when only the per-record path can evaluate it."""
    try:
        return _compile(node)
    except _Unsupported:
        return None


def evaluate_columnar(compiled: Compiled, columns: Columns) -> pa.ChunkedArray | pa.Array:
    """The expression's values for every row of the batch; raises NotColumnar."""
    try:
        value = compiled(columns)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError, KeyError) as error:
        raise NotColumnar(str(error)) from None
    if _is_column(value):
        return value
    if not isinstance(value, _SCALARS):
        raise NotColumnar("not a scalar")
    return pa.repeat(pa.scalar(value), columns.table.num_rows)


def truthiness(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Python's bool() of every value, as a non-null boolean column."""
    kind = values.type
    if pa.types.is_null(kind):
        return pc.fill_null(pc.is_valid(values), False)
    if pa.types.is_boolean(kind):
        return pc.fill_null(values, False)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return pc.fill_null(pc.not_equal(values, 0), False)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.fill_null(pc.greater(pc.utf8_length(values), 0), False)
    raise NotColumnar(f"truth of {kind}")


class _Unsupported(Exception):
    """The compiler does not know this construct."""


def _is_column(value: Value) -> bool:
    return isinstance(value, (pa.Array, pa.ChunkedArray))


def _compile(node: ast.expr) -> Compiled:
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise _Unsupported(type(node).__name__)
    return handler(node)


def _constant(node: ast.Constant) -> Compiled:
    value = node.value
    if not isinstance(value, _SCALARS):
        raise _Unsupported("constant")
    return lambda columns: value


def _name(node: ast.Name) -> Compiled:
    name = node.id
    if name in WHOLE_RECORD_NAMES:
        return lambda columns: _RECORD
    if name == "config":
        return lambda columns: columns.context.config
    if name == "__stream_name__":
        return lambda columns: columns.context.stream_alias
    if name == "__original_stream_name__":
        return lambda columns: columns.context.stream_name

    def read(columns: Columns) -> Value:
        own = columns.property_name
        if name == "self" and own is not None and own in columns.table.column_names:
            return columns.column(own)
        return columns.column(name)

    return read


def _subscript(node: ast.Subscript) -> Compiled:
    container, key = _compile(node.value), _compile(node.slice)

    def read(columns: Columns) -> Value:
        of, at = container(columns), key(columns)
        if _is_column(at):
            raise NotColumnar("column subscript")
        if of is _RECORD:
            if not isinstance(at, str):
                raise NotColumnar("record subscript")
            return columns.column(at)
        if _is_column(of):
            raise NotColumnar("subscript of a column")
        return of[at]

    return read


def _no_nulls(*values: Value) -> None:
    for value in values:
        if _is_column(value) and value.null_count:
            raise NotColumnar("nulls")


def _kind(value: Value) -> str:
    """The Python kind a value has in every row: bool, number, string or other."""
    if _is_column(value):
        kind = value.type
        if pa.types.is_boolean(kind):
            return "bool"
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            return "number"
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return "string"
        return "other"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


_COMPARISONS: dict[type[ast.cmpop], tuple[Callable[..., Any], Callable[[Any, Any], Any]]] = {
    ast.Eq: (pc.equal, operator.eq),
    ast.NotEq: (pc.not_equal, operator.ne),
    ast.Lt: (pc.less, operator.lt),
    ast.LtE: (pc.less_equal, operator.le),
    ast.Gt: (pc.greater, operator.gt),
    ast.GtE: (pc.greater_equal, operator.ge),
}


def _compare(node: ast.Compare) -> Compiled:
    operands = [_compile(node.left), *(_compile(c) for c in node.comparators)]
    steps = [(_comparison(op), i) for i, op in enumerate(node.ops)]

    def compare(columns: Columns) -> Value:
        values = [operand(columns) for operand in operands]
        result: Value = True
        for step, i in steps:
            part = step(values[i], values[i + 1])
            result = part if result is True else _and_booleans(result, part)
        return result

    return compare


def _and_booleans(left: Value, right: Value) -> Value:
    if not _is_column(left) and not _is_column(right):
        return bool(left) and bool(right)
    return pc.and_(left, right)


def _comparison(op: ast.cmpop) -> Callable[[Value, Value], Value]:
    if isinstance(op, (ast.Is, ast.IsNot)):
        return _is_comparison(negate=isinstance(op, ast.IsNot))
    if isinstance(op, (ast.In, ast.NotIn)):
        return _in_comparison(negate=isinstance(op, ast.NotIn))
    if type(op) not in _COMPARISONS:
        raise _Unsupported(type(op).__name__)
    arrow, python = _COMPARISONS[type(op)]

    equality = isinstance(op, (ast.Eq, ast.NotEq))

    def compare(left: Value, right: Value) -> Value:
        if not _is_column(left) and not _is_column(right):
            return python(left, right)
        if not equality:
            # Python cannot order None: such a batch goes row by row, to fail on its row.
            _no_nulls(left, right)
        if left is None or right is None:
            raise NotColumnar("comparison with None")
        kinds = {_kind(left), _kind(right)}
        if len(kinds) != 1 or kinds & {"other"}:
            raise NotColumnar("comparison of different kinds")
        if not equality:
            return arrow(left, right)
        return _python_equality(left, right, negate=isinstance(op, ast.NotEq))

    return compare


def _python_equality(left: Value, right: Value, *, negate: bool) -> Value:
    """`==` as Python has it for None: equal to None alone, where Arrow says null."""
    equal = pc.equal(left, right)
    if equal.null_count:
        both_null = pc.and_(_null_mask(left), _null_mask(right))
        equal = pc.or_(pc.fill_null(equal, False), both_null)
    return pc.invert(equal) if negate else equal


def _null_mask(value: Value) -> Value:
    return pc.is_null(value) if _is_column(value) else value is None


def _is_comparison(*, negate: bool) -> Callable[[Value, Value], Value]:
    def compare(left: Value, right: Value) -> Value:
        if not _is_column(left) and not _is_column(right):
            return (left is not right) if negate else (left is right)
        if right is None and _is_column(left):
            return pc.is_valid(left) if negate else pc.is_null(left)
        raise NotColumnar("'is' other than 'is None'")

    return compare


def _in_comparison(*, negate: bool) -> Callable[[Value, Value], Value]:
    def compare(left: Value, right: Value) -> Value:
        if _is_column(right):
            raise NotColumnar("'in' a column")
        if not _is_column(left):
            return (left not in right) if negate else (left in right)
        if not isinstance(right, (list, tuple, set, frozenset)) or not right:
            raise NotColumnar("'in' other than a list of constants")
        members = list(right)
        if any(m is None for m in members) or {_kind(m) for m in members} != {_kind(left)}:
            raise NotColumnar("'in' of different kinds")
        found = pc.fill_null(pc.is_in(left, value_set=pa.array(members, type=left.type)), False)
        return pc.invert(found) if negate else found

    return compare


def _collection(node: ast.Tuple | ast.List | ast.Set) -> Compiled:
    items = [_compile(element) for element in node.elts]

    def build(columns: Columns) -> Value:
        values = [item(columns) for item in items]
        if any(_is_column(v) for v in values):
            raise NotColumnar("a collection of columns")
        return tuple(values)

    return build


def _same_type(left: Value, right: Value) -> tuple[Value, Value]:
    """Both as columns of one Arrow type, when Python would not mix them."""
    if not _is_column(left) and not _is_column(right):
        return left, right
    kinds = {_kind(v) for v in (left, right) if v is not None}
    if len(kinds) != 1 or kinds == {"other"}:
        raise NotColumnar("values of different kinds")
    column = left if _is_column(left) else right
    kind = column.type

    def typed(value: Value) -> Value:
        if _is_column(value):
            if value.type != kind:
                raise NotColumnar("columns of different types")
            return value
        if isinstance(value, float) and pa.types.is_integer(kind):
            raise NotColumnar("float constant with an integer column")
        return pa.scalar(value, type=kind)

    return typed(left), typed(right)


def _if_else(condition: Value, chosen: Value, other: Value) -> Value:
    if not _is_column(condition):
        return chosen if condition else other
    chosen, other = _same_type(chosen, other)
    return pc.if_else(condition, chosen, other)


def _truth(value: Value) -> Value:
    return truthiness(value) if _is_column(value) else bool(value)


def _bool_op(node: ast.BoolOp) -> Compiled:
    operands = [_compile(v) for v in node.values]
    is_or = isinstance(node.op, ast.Or)

    def combine(columns: Columns) -> Value:
        result = operands[0](columns)
        for operand in operands[1:]:
            value = operand(columns)
            truth = _truth(result)
            # `a or b` is a where a is true, else b; `a and b` is b where a is true, else a.
            result = _if_else(truth, result, value) if is_or else _if_else(truth, value, result)
        return result

    return combine


def _unary(node: ast.UnaryOp) -> Compiled:
    operand = _compile(node.operand)
    if isinstance(node.op, ast.Not):
        return lambda columns: _not(_truth(operand(columns)))
    if isinstance(node.op, ast.USub):
        return lambda columns: _arithmetic(operator.neg, pc.negate_checked, operand(columns))
    raise _Unsupported(type(node.op).__name__)


def _not(value: Value) -> Value:
    return pc.invert(value) if _is_column(value) else not value


def _arithmetic(python: Callable[..., Any], arrow: Callable[..., Any], *values: Value) -> Value:
    if not any(_is_column(v) for v in values):
        return python(*values)
    _no_nulls(*values)
    if any(_kind(v) != "number" for v in values):
        raise NotColumnar("arithmetic on other than numbers")
    return arrow(*values)


def _divide(left: Value, right: Value) -> Value:
    as_float = [pc.cast(v, pa.float64()) if _is_column(v) else float(v) for v in (left, right)]
    return pc.divide_checked(*as_float)


_BINARY: dict[type[ast.operator], tuple[Callable[[Any, Any], Any], Callable[..., Any]]] = {
    ast.Sub: (operator.sub, pc.subtract_checked),
    ast.Mult: (operator.mul, pc.multiply_checked),
    ast.Div: (operator.truediv, _divide),
}


def _binary(node: ast.BinOp) -> Compiled:
    left, right = _compile(node.left), _compile(node.right)
    if isinstance(node.op, ast.Add):
        return lambda columns: _add(left(columns), right(columns))
    if type(node.op) not in _BINARY:
        raise _Unsupported(type(node.op).__name__)
    python, arrow = _BINARY[type(node.op)]
    return lambda columns: _arithmetic(python, arrow, left(columns), right(columns))


def _add(left: Value, right: Value) -> Value:
    if _is_column(left) or _is_column(right):
        kinds = {_kind(left), _kind(right)}
        if kinds == {"string"}:
            _no_nulls(left, right)
            return pc.binary_join_element_wise(left, right, "")
    return _arithmetic(operator.add, pc.add_checked, left, right)


def _called_on(python: Callable[[Any], Any], column: Callable[[Value], Value]) -> Callable[[Value], Value]:
    """A call as Python makes it on a constant, and as `column` makes it on a column without nulls.

    A null's answer is the per-record path's to give (an error or Python's
    own answer for None), so a column holding one is left to it.
    """

    def call(value: Value) -> Value:
        if not _is_column(value):
            return python(value)
        _no_nulls(value)
        return column(value)

    return call


def _digest(function: Callable[[str], str]) -> Callable[[Value], Value]:
    def digest(column: Value) -> Value:
        if _kind(column) != "string":
            raise NotColumnar("digest of other than text")
        return pa.array([function(text) for text in column.to_pylist()], pa.string())

    return _called_on(function, digest)


def _str_column(column: Value) -> Value:
    if _kind(column) == "string":
        return column
    if pa.types.is_integer(column.type):
        return pc.cast(column, pa.string())
    raise NotColumnar("str() of other than text or integers")


def _int_column(column: Value) -> Value:
    if pa.types.is_integer(column.type):
        return pc.cast(column, pa.int64())
    if pa.types.is_floating(column.type):
        return pc.cast(pc.trunc(column), pa.int64())
    raise NotColumnar("int() of other than numbers")


def _float_column(column: Value) -> Value:
    if _kind(column) != "number":
        raise NotColumnar("float() of other than numbers")
    return pc.cast(column, pa.float64())


_CALLS: dict[str, Callable[[Value], Value]] = {
    "md5": _digest(md5),
    "sha256": _digest(sha256),
    "str": _called_on(str, _str_column),
    "int": _called_on(int, _int_column),
    "float": _called_on(float, _float_column),
    "bool": _truth,
}


def _call(node: ast.Call) -> Compiled:
    if not isinstance(node.func, ast.Name) or node.func.id not in _CALLS or node.keywords or len(node.args) != 1:
        raise _Unsupported("call")
    function, argument = _CALLS[node.func.id], _compile(node.args[0])
    return lambda columns: function(argument(columns))


def _conditional(node: ast.IfExp) -> Compiled:
    test, body, orelse = _compile(node.test), _compile(node.body), _compile(node.orelse)
    return lambda columns: _if_else(_truth(test(columns)), body(columns), orelse(columns))


_HANDLERS: dict[type[ast.expr], Callable[[Any], Compiled]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Subscript: _subscript,
    ast.Compare: _compare,
    ast.Tuple: _collection,
    ast.List: _collection,
    ast.Set: _collection,
    ast.BoolOp: _bool_op,
    ast.UnaryOp: _unary,
    ast.BinOp: _binary,
    ast.Call: _call,
    ast.IfExp: _conditional,
}
