"""How the TLC's 2009-2017 layouts wrote values that today's files hold as codes, ids and timestamps.

Yellow 2009 and 2010 name vendors and payment types in text of varying case
('VTS', 'CASH', 'Cash', 'CRD', 'No Charge'), write timestamps as text and
store-and-forward as 0/1, and give GPS coordinates instead of taxi zones (with
the 0,0 of a receiver without a fix on some trips). Each function turns a
generated field into that spelling; the spellings alternate by row, as the
case did between the TLC's vendors.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .zones import ZONES

_VENDOR_NAMES = {1: "CMT", 2: "VTS", 6: "DDS"}
"""DDS (Digital Dispatch Systems) was the third TPEP vendor of 2009-2010; the generated rare vendor plays it."""

# Per payment code, the spellings a year used; flex fare (0) did not exist yet and is written as the year's cash.
_PAYMENT_WORDS_2009 = {0: ("Cash",), 1: ("Credit", "CREDIT"), 2: ("CASH", "Cash"), 3: ("No Charge",), 4: ("Dispute",)}
_PAYMENT_WORDS_2010 = {0: ("UNK",), 1: ("CRD", "Cre"), 2: ("CSH", "CAS", "Cas"), 3: ("NOC", "No"), 4: ("DIS", "Dis")}

_NO_FIX_EVERY = 60
"""About one trip in this many has a receiver without a fix, published as longitude and latitude 0."""

# (longitude, latitude) of each borough's centre and how far its zones spread around it, in degrees.
_BOROUGH_CENTRES = {
    "Manhattan": ((-73.975, 40.765), (0.025, 0.05)),
    "Brooklyn": ((-73.945, 40.650), (0.06, 0.045)),
    "Queens": ((-73.820, 40.720), (0.09, 0.06)),
    "Bronx": ((-73.870, 40.850), (0.05, 0.03)),
    "Staten Island": ((-74.140, 40.580), (0.06, 0.04)),
    "EWR": ((-74.175, 40.690), (0.005, 0.005)),
}
_ZONE_LAYOUT_SEED = 2009
_TRIP_SPREAD_DEGREES = 0.004


def _zone_centres() -> tuple[np.ndarray, np.ndarray]:
    """A fixed point per zone inside its borough; zones outside the boroughs ('Unknown', 'N/A') sit at 0,0."""
    rng = np.random.default_rng(_ZONE_LAYOUT_SEED)
    longitudes = np.zeros(len(ZONES) + 1)
    latitudes = np.zeros(len(ZONES) + 1)
    for zone in ZONES:
        if zone.borough in _BOROUGH_CENTRES:
            (longitude, latitude), (spread_lon, spread_lat) = _BOROUGH_CENTRES[zone.borough]
            longitudes[zone.location_id] = longitude + rng.uniform(-spread_lon, spread_lon)
            latitudes[zone.location_id] = latitude + rng.uniform(-spread_lat, spread_lat)
    return longitudes, latitudes


_ZONE_LONGITUDES, _ZONE_LATITUDES = _zone_centres()


def _row_spellings(codes: pa.Array, words: dict[int, tuple[str, ...]]) -> pa.Array:
    values = codes.to_numpy(zero_copy_only=False)
    rows = np.arange(len(codes))
    text = np.empty(len(codes), dtype=object)
    for code, spellings in words.items():
        chosen = values == code
        text[chosen] = np.array(spellings, dtype=object)[rows[chosen] % len(spellings)]
    return pa.array(text, pa.string(), mask=pc.is_null(codes).to_numpy(zero_copy_only=False))


def vendor_names(vendor_ids: pa.Array) -> pa.Array:
    return _row_spellings(vendor_ids, {code: (name,) for code, name in _VENDOR_NAMES.items()})


def payment_words_2009(payment_types: pa.Array) -> pa.Array:
    return _row_spellings(payment_types, _PAYMENT_WORDS_2009)


def payment_words_2010(payment_types: pa.Array) -> pa.Array:
    return _row_spellings(payment_types, _PAYMENT_WORDS_2010)


def timestamp_text(timestamps: pa.Array) -> pa.Array:
    """`YYYY-MM-DD HH:MM:SS`, as the 2009 and 2010 files hold their times."""
    return timestamps.cast(pa.timestamp("s")).cast(pa.string())


def flag_numbers(flags: pa.Array) -> pa.Array:
    """Y/N written as 1/0, as pandas stored the 2009 and 2010 flags."""
    return pc.if_else(pc.equal(flags, "Y"), 1.0, 0.0)


def row_index(values: pa.Array) -> pa.Array:
    """The 0-based index pandas wrote beside the 2010 data as `__index_level_0__`."""
    return pa.array(np.arange(len(values), dtype=np.int64))


def _trip_points(zones: pa.Array, centres: np.ndarray, salt: int) -> pa.Array:
    """A point near each trip's zone centre; the offset is a hash of row and zone, so one file is reproducible."""
    ids = zones.to_numpy(zero_copy_only=False).astype(np.int64)
    rows = np.arange(ids.size, dtype=np.uint64)
    mixed = (rows * np.uint64(0x9E3779B1) + ids.astype(np.uint64) * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    unit = ((mixed * np.uint64(salt)) & np.uint64(0xFFFF)).astype(np.float64) / 0xFFFF
    points = centres[ids] + (unit - 0.5) * 2 * _TRIP_SPREAD_DEGREES
    no_fix = (mixed % np.uint64(_NO_FIX_EVERY)) == 0
    points[no_fix | (centres[ids] == 0)] = 0.0
    return pa.array(points.round(6), pa.float64())


def longitudes(zones: pa.Array) -> pa.Array:
    return _trip_points(zones, _ZONE_LONGITUDES, 0x27D4EB2F)


def latitudes(zones: pa.Array) -> pa.Array:
    return _trip_points(zones, _ZONE_LATITUDES, 0x165667B1)
