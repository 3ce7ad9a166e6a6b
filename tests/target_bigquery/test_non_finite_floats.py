"""NaN and +-Infinity with number_as_float: FLOAT64 holds them, so they land as
they were sent (without it they become NULL: tests/targets/test_non_finite_numbers.py)."""

from __future__ import annotations

import math

from tests.support.bigquery_backend import BigQueryBackend
from tests.support.singer_text import lines, raw_record, schema_message


def test_number_as_float_keeps_nan_and_infinity_as_float64(target: BigQueryBackend) -> None:
    records = ('{"id": 1, "x": NaN}', '{"id": 2, "x": Infinity}', '{"id": 3, "x": -Infinity}', '{"id": 4, "x": 1.5}')
    text = lines(schema_message("f", {"id": {"type": "integer"}, "x": {"type": "number"}}, ["id"]))
    run = target.run(text + "".join(raw_record("f", r) for r in records), number_as_float=True)
    assert run.returncode == 0, run.stderr
    assert target.bigquery_types("f")["x"] == ("FLOAT", "NULLABLE")
    [nan, *others] = [x for _, x in target.rows("f", ["id", "x"], order_by="id")]
    assert math.isnan(nan)
    assert others == [math.inf, -math.inf, 1.5]
    assert "NaN or infinite" not in run.stderr
