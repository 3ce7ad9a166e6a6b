"""Historic column names and text codes, read batch by batch as the tap reads them.

The expected codes are the TLC data dictionary's, written out here by hand.
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pytest

from singer_lite_core.errors import InputError
from tap_nyc_taxi.column_mapping import ColumnPlan
from tap_nyc_taxi.streams import all_streams

FILE = "yellow_tripdata_2010-01.csv"


def _plan(columns: list[str], *, ignore_unknown_columns: bool = False) -> ColumnPlan:
    stream = all_streams()["yellow_trips"]
    return ColumnPlan(
        stream.name,
        FILE,
        stream.column_types(),
        columns,
        with_lineage=stream.lineage,
        ignore_unknown_columns=ignore_unknown_columns,
        required=frozenset(stream.key_properties),
    )


def _read(data: dict[str, list[Any]], first_row: int = 0) -> tuple[ColumnPlan, dict[str, list[Any]]]:
    plan = _plan(list(data))
    frame = plan.frame(pa.RecordBatch.from_pydict(data), first_row)
    return plan, frame.to_dict(as_series=False)


def test_text_codes_are_read_whatever_their_case_and_padding() -> None:
    _, read = _read(
        {
            "vendor_id": ["VTS", " cmt", "Vts ", "2", None],
            "payment_type": ["CSH", "Cre", "No ", "dispute", "1"],
        }
    )
    assert read["VendorID"] == [2, 1, 2, 2, None]
    assert read["payment_type"] == [2, 1, 3, 4, 1]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, 0.0, None], ["Y", "N", None]),
        (["1.0", "0", ""], ["Y", "N", None]),
        (["Y", "N", None], ["Y", "N", None]),
        (["y", "n", "1"], ["Y", "N", "Y"]),
    ],
)
def test_store_and_forward_flags_become_y_and_n(values: list[Any], expected: list[str | None]) -> None:
    _, read = _read({"store_and_forward": values})
    assert read["store_and_fwd_flag"] == expected


def test_a_code_without_a_dictionary_code_is_null_and_counted_at_the_end(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    plan, read = _read({"Payment_Type": ["CASH", "Bitcoin", "Credit", "bitcoin"], "vendor_name": ["DDS"] * 4}, 40)
    assert read["payment_type"] == [2, None, 1, None]
    assert read["VendorID"] == [None] * 4
    assert read["source_row"] == [41, 42, 43, 44]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    plan.codes.report()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "stream 'yellow_trips': column 'VendorID': 4 value(s) in 1 file(s) have no TLC code and were emitted as "
        f"null, rows kept: 'DDS' (4); first at {FILE} row 41: column 'vendor_name'",
        "stream 'yellow_trips': column 'payment_type': 2 value(s) in 1 file(s) have no TLC code and were emitted as "
        f"null, rows kept: 'Bitcoin' (1), 'bitcoin' (1); first at {FILE} row 42: column 'Payment_Type'",
    ]
    readings = [r.getMessage() for r in caplog.records if "reading code" in r.getMessage()]
    assert readings == [
        "stream 'yellow_trips': column 'payment_type': reading code 'CASH' as 2 (cash)",
        "stream 'yellow_trips': column 'payment_type': reading code 'Credit' as 1 (credit card)",
    ]


def test_a_column_without_codes_still_fails_on_a_bad_value() -> None:
    with pytest.raises(InputError, match=rf"{FILE} row 2: column 'Passenger_Count': cannot read 'two' as integer"):
        _read({"Passenger_Count": ["1", "two"]})


def test_two_columns_for_one_property_are_refused() -> None:
    with pytest.raises(InputError, match="columns Start_Lon and pickup_longitude, which both map to pickup_longitude"):
        _plan(["Start_Lon", "pickup_longitude"])


def test_padded_headers_are_matched() -> None:
    _, read = _read({" pickup_datetime": ["2014-03-01 00:00:00"], " rate_code": ["1"]})
    assert read["tpep_pickup_datetime"][0].isoformat() == "2014-03-01T00:00:00"
    assert read["RatecodeID"] == [1]


def test_historic_layouts_still_refuse_unknown_columns_unless_told() -> None:
    with pytest.raises(InputError, match="column\\(s\\) medallion that the stream schema does not know"):
        _plan(["vendor_name", "medallion", "__index_level_0__"])
    plan = _plan(["vendor_name", "medallion", "__index_level_0__"], ignore_unknown_columns=True)
    frame = plan.frame(
        pa.RecordBatch.from_pydict({"vendor_name": ["CMT"], "medallion": ["x"], "__index_level_0__": [0]}), 0
    )
    assert frame["VendorID"].to_list() == [1]
    assert "medallion" not in frame.columns
