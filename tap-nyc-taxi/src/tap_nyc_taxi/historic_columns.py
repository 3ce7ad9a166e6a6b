"""What the TLC's earlier layouts called each stable column, per trip stream.

The TLC renamed nearly every column between 2009 and 2017 (2009's
Trip_Pickup_DateTime and Start_Lon, 2010-2014's pickup_datetime, rate_code
and surcharge, FHV's Pickup_date and locationID of 2015-2016), and its own
files and the mirrors still serve those layouts. A stream's schema keeps one
name per column; this table says which earlier names land in it. Names are
compared stripped and case-folded, because the TLC also changed case between
years (RateCodeID, Lpep_dropoff_datetime, PUlocationID) and padded some CSV
headers with spaces (2014's " pickup_datetime").
"""

from __future__ import annotations

import re

_YELLOW = {
    # 2009
    "vendor_name": "VendorID",
    "trip_pickup_datetime": "tpep_pickup_datetime",
    "trip_dropoff_datetime": "tpep_dropoff_datetime",
    "start_lon": "pickup_longitude",
    "start_lat": "pickup_latitude",
    "end_lon": "dropoff_longitude",
    "end_lat": "dropoff_latitude",
    "rate_code": "RatecodeID",
    "store_and_forward": "store_and_fwd_flag",
    "fare_amt": "fare_amount",
    "tip_amt": "tip_amount",
    "tolls_amt": "tolls_amount",
    "total_amt": "total_amount",
    # 2009 and 2010-2014: the rush-hour and overnight charges before they were called extra
    "surcharge": "extra",
    # 2010-2014
    "vendor_id": "VendorID",
    "pickup_datetime": "tpep_pickup_datetime",
    "dropoff_datetime": "tpep_dropoff_datetime",
}

_FHV = {
    # 2015-2016: one location column, the pickup zone
    "pickup_date": "pickup_datetime",
    "locationid": "PUlocationID",
}

HISTORIC_NAMES: dict[str, dict[str, str]] = {"yellow_trips": _YELLOW, "fhv_trips": _FHV}
"""Per stream: folded historic column name -> the schema property it lands in.

Green's earlier layouts differ from today's in case only, which folding already absorbs."""

_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def folded(name: str) -> str:
    """The form two spellings of one column share."""
    return name.strip().casefold()


def is_pandas_index(name: str) -> bool:
    """The 2010 yellow files carry the row index of the pandas frame they were written from; it is no trip data."""
    return _PANDAS_INDEX.fullmatch(name) is not None
