"""NaN and +-Infinity sent as JSON Schema numbers: a database whose decimal type
holds them (PostgreSQL numeric) keeps them; one whose decimal type does not
(BigQuery NUMERIC) gets NULL, with one warning per stream and column giving
the count, instead of refusing the load. Which one a target is comes from its
loader's declared capabilities, as it does for the target itself."""

from __future__ import annotations

from typing import Any

import pytest

from singer_lite_core.target_driver.capabilities import LoaderCapabilities
from target_bigquery_lite.loader import CAPABILITIES as BIGQUERY_CAPABILITIES
from target_postgres_lite.loader import CAPABILITIES as POSTGRES_CAPABILITIES
from tests.support.backend import Backend
from tests.support.singer_text import lines, raw_record, schema_message, state, states

CAPABILITIES: dict[str, LoaderCapabilities] = {"postgres": POSTGRES_CAPABILITIES, "bigquery": BIGQUERY_CAPABILITIES}
NUMBER = {"type": ["number", "null"]}
RECORDS = ('{"id": 1, "x": NaN}', '{"id": 2, "x": Infinity}', '{"id": 3, "x": -Infinity}', '{"id": 4, "x": 1.5}')
NULLED_WARNING = (
    "stream 't': column 'x': 3 NaN or infinite values were loaded as NULL, as the database's decimal type "
    "holds no such number; set number_as_float to keep them"
)
# By whether the database's decimal type holds them: the values as text, and the warnings.
EXPECTED: dict[bool, tuple[list[str | None], list[str]]] = {
    True: (["NaN", "Infinity", "-Infinity", "1.5"], []),
    False: ([None, None, None, "1.5"], [NULLED_WARNING]),
}


@pytest.mark.parametrize(
    "properties",
    [{"id": {"type": "integer"}, "x": NUMBER}, {"id": {"type": "integer"}, "x": NUMBER, "o": {"type": "object"}}],
    ids=["block_reader", "per_record"],
)
def test_nan_and_infinity_are_kept_or_loaded_as_null_with_a_warning(
    backend: Backend, properties: dict[str, Any]
) -> None:
    text = lines(schema_message("t", properties, ["id"])) + "".join(raw_record("t", r) for r in RECORDS)
    run = backend.run(text + lines(state({"done": True})))
    assert run.returncode == 0, run.stderr
    assert states(run) == [{"done": True}]
    values, warnings = EXPECTED[CAPABILITIES[backend.name].decimal_holds_nan_and_infinity]
    rows = backend.rows("t", ["id", "x"], order_by="id")
    assert [None if x is None else str(x).replace("E+0", "").rstrip("0") for _, x in rows] == values
    assert backend.column_types("t")["x"] == "decimal"
    assert [line.partition(" WARNING ")[2] for line in run.stderr.splitlines() if "NaN" in line] == warnings
