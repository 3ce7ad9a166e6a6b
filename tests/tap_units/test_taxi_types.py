"""The taxi-type registry is the one list of trip-file families, and every entry in it is complete.

A registered taxi type needs a JSON Schema, a file-name pattern, a setting
choice and a sample layout whose columns the tap maps onto that schema; these
tests fail for an entry that lacks any of them.
"""

from __future__ import annotations

import re

import pytest

from tap_nyc_taxi.cli import DESCRIPTION
from tap_nyc_taxi.column_mapping import ColumnPlan
from tap_nyc_taxi.months import Month
from tap_nyc_taxi.sample_data import TRIP_FILE_FORMATS, generate_trip_table, trip_file_name
from tap_nyc_taxi.settings import SETTINGS
from tap_nyc_taxi.streams import TRIP_STREAMS, all_streams
from tap_nyc_taxi.taxi_types import FHVHV, TAXI_TYPE_NAMES, TAXI_TYPES, TaxiType, taxi_type_named
from tap_nyc_taxi.trip_files import file_name_pattern
from tap_nyc_taxi.trip_streams import TripStream

# One month per rule of the published layouts: before the congestion surcharge, the null-typed airport fee,
# nanosecond timestamps, the capitalised Airport_fee, the 2024 retyping, the CBD congestion fee.
LAYOUT_MONTHS = ("2018-06", "2021-01", "2022-07", "2023-05", "2024-02", "2025-03")


def _ids(taxi_type: TaxiType) -> str:
    return taxi_type.name


def test_names_streams_and_file_prefixes_are_unique() -> None:
    for derived in (TAXI_TYPE_NAMES, [t.stream for t in TAXI_TYPES], [t.file_prefix for t in TAXI_TYPES]):
        assert len(set(derived)) == len(TAXI_TYPES)


@pytest.mark.parametrize("taxi_type", TAXI_TYPES, ids=_ids)
def test_every_taxi_type_has_a_trip_stream_with_a_schema(taxi_type: TaxiType) -> None:
    stream = all_streams()[taxi_type.stream]
    assert isinstance(stream, TripStream)
    assert stream.taxi_type is taxi_type
    assert stream.key_properties == ("source_file", "source_row")
    assert TRIP_STREAMS[taxi_type.name] == taxi_type.stream


@pytest.mark.parametrize("taxi_type", TAXI_TYPES, ids=_ids)
def test_every_taxi_type_is_a_setting_choice_and_named_in_the_descriptions(taxi_type: TaxiType) -> None:
    (setting,) = [s for s in SETTINGS if s.name == "taxi_types"]
    assert taxi_type.name in setting.choices
    assert taxi_type.name in setting.description
    assert taxi_type.label in DESCRIPTION


@pytest.mark.parametrize("taxi_type", TAXI_TYPES, ids=_ids)
@pytest.mark.parametrize("fmt", TRIP_FILE_FORMATS)
def test_each_file_name_matches_its_own_pattern_only(taxi_type: TaxiType, fmt: str) -> None:
    name = trip_file_name(taxi_type.name, "2021-07", fmt)
    assert name == f"{taxi_type.name}_tripdata_2021-07.{fmt}"
    match = file_name_pattern(taxi_type).match(name)
    assert match is not None
    assert match.groups() == ("2021-07", f".{fmt}")
    assert [t.name for t in TAXI_TYPES if file_name_pattern(t).match(name)] == [taxi_type.name]


def test_a_type_whose_name_extends_another_does_not_take_its_files() -> None:
    """fhvhv starts with fhv: neither may read the other's files."""
    assert file_name_pattern(taxi_type_named("fhv")).match("fhvhv_tripdata_2021-01.parquet") is None
    assert file_name_pattern(FHVHV).match("fhv_tripdata_2021-01.parquet") is None
    assert file_name_pattern(FHVHV).match("fhvhv_tripdata_2021-01.parquet") is not None


def test_high_volume_fhv_is_published_from_2019_02_only() -> None:
    assert not FHVHV.is_published(Month(2019, 1))
    assert FHVHV.is_published(Month(2019, 2))
    assert all(t.is_published(Month(2009, 1)) for t in TAXI_TYPES if t is not FHVHV)


@pytest.mark.parametrize(
    ("taxi_type", "month"),
    [(t, m) for m in LAYOUT_MONTHS for t in TAXI_TYPES if t.is_published(Month.parse(m))],
    ids=lambda value: value.name if isinstance(value, TaxiType) else value,
)
def test_every_published_sample_layout_maps_onto_its_stream_schema(taxi_type: TaxiType, month: str) -> None:
    stream = all_streams()[taxi_type.stream]
    table = generate_trip_table(taxi_type.name, month, 60, 3)
    name = trip_file_name(taxi_type.name, month)
    plan = ColumnPlan(
        stream.name,
        name,
        stream.column_types(),
        table.column_names,
        with_lineage=stream.lineage,
        ignore_unknown_columns=False,
        required=frozenset(stream.key_properties),
    )
    (batch,) = table.combine_chunks().to_batches()
    frame = plan.frame(batch, 0)
    assert frame.columns == list(stream.schema["properties"])
    assert frame.height == 60
    assert frame["source_file"].unique().to_list() == [name]


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    known = ", ".join(TAXI_TYPE_NAMES)
    with pytest.raises(ValueError, match=re.escape(f"unknown taxi type 'blue'; expected one of {known}")):
        taxi_type_named("blue")
