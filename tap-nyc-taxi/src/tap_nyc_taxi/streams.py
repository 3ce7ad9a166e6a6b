"""Every stream the tap offers, in catalog order: a trip stream per taxi type, the zone lookup, the course ratings."""

from __future__ import annotations

from functools import cache

from tap_nyc_taxi.stream import Stream
from tap_nyc_taxi.table_streams import CourseRatingStream, ReferenceFileStream
from tap_nyc_taxi.taxi_types import TAXI_TYPES
from tap_nyc_taxi.trip_streams import TripStream

TRIP_STREAMS: dict[str, str] = {taxi_type.name: taxi_type.stream for taxi_type in TAXI_TYPES}
"""The trip stream of each taxi type, for code that thinks in taxi types."""


@cache
def all_streams() -> dict[str, Stream]:
    streams: list[Stream] = [
        *(TripStream(taxi_type) for taxi_type in TAXI_TYPES),
        ReferenceFileStream("taxi_zones", lambda config: config.zone_lookup),
        CourseRatingStream("courses", lambda config: config.courses, table="courses"),
        CourseRatingStream("ratings", lambda config: config.ratings, table="rating"),
    ]
    return {stream.name: stream for stream in streams}
