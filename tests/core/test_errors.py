"""The one spelling of an error's location."""

from __future__ import annotations

from typing import Any

import pytest

from singer_lite_core.errors import where


@pytest.mark.parametrize(
    ("parts", "spelled"),
    [
        ({"stream": "people", "line": 3}, "stream 'people': line 3"),
        ({"stream": "people", "lines": (3, 9)}, "stream 'people': lines 3-9"),
        ({"stream": "people", "lines": (4, 4)}, "stream 'people': lines 4-4"),
        ({"line": 7}, "line 7"),
        (
            {"stream": "yellow_trips", "source": "yellow_tripdata_2021-02.csv", "row": 150, "column": "fare"},
            "stream 'yellow_trips': yellow_tripdata_2021-02.csv row 150: column 'fare'",
        ),
        ({"stream": "s", "line": 2, "column": "x"}, "stream 's': line 2: column 'x'"),
    ],
)
def test_where_spells_each_location_one_way(parts: dict[str, Any], spelled: str) -> None:
    assert where(**parts) == spelled
