"""Input only target-bigquery-lite must refuse: numbers beyond BIGNUMERIC and
names BigQuery cannot tell apart. The shared refusals are in tests/targets/bad_input.py.
"""

from __future__ import annotations

from tests.support.singer_text import lines, raw_record, schema_message
from tests.targets.bad_input import BadInput

_NUM = {"x": {"type": "number"}}

BIGQUERY_BAD_INPUT: tuple[BadInput, ...] = (
    BadInput(
        "number_beyond_bignumeric",
        lines(schema_message("n", _NUM)) + raw_record("n", '{"x": 1e400}'),
        "stream 'n': line 2: column 'x': 1E+400 does not fit NUMERIC or BIGNUMERIC exactly; "
        "set number_as_float to store such numbers as FLOAT64",
        stream="n",
    ),
    BadInput(
        "properties_differing_only_in_case",
        lines(schema_message("c", {"Id": {"type": "integer"}, "id": {"type": "integer"}})),
        "stream 'c': line 1: properties 'Id' and 'id' both map to column 'id' (BigQuery column names ignore case)",
    ),
)
