"""When trips start: the city's weekly and daily rhythm, plus the TLC's stray timestamps.

Real monthly files are not cleanly bounded by their month: taximeters with a
reset clock report 2008/2009 (or older) dates, and late uploads land weeks after
the month. Incremental syncs and partitioning have to survive both.
"""

from __future__ import annotations

import numpy as np

from tap_nyc_taxi.months import Month

from .calendar_parts import weekday_of

_SECONDS_PER_HOUR = 3600
_SECONDS_PER_DAY = 24 * _SECONDS_PER_HOUR

# Relative trip volume per hour of day; weekday rush hours versus weekend nightlife.
_WEEKDAY_HOURLY = np.array(
    [
        1.6,
        0.9,
        0.6,
        0.4,
        0.4,
        0.8,
        2.2,
        3.9,
        4.9,
        4.9,
        4.8,
        5.0,
        5.3,
        5.3,
        5.8,
        6.1,
        6.0,
        6.4,
        7.0,
        6.6,
        5.8,
        5.5,
        4.6,
        3.0,
    ]
)
_WEEKEND_HOURLY = np.array(
    [
        3.8,
        3.0,
        2.3,
        1.5,
        0.9,
        0.6,
        0.8,
        1.2,
        1.9,
        2.9,
        3.8,
        4.6,
        5.2,
        5.5,
        5.6,
        5.6,
        5.6,
        5.7,
        5.9,
        5.7,
        5.3,
        5.0,
        4.9,
        4.4,
    ]
)
_HOURLY_CDF = np.cumsum(np.vstack([_WEEKDAY_HOURLY, _WEEKEND_HOURLY]), axis=1)
_HOURLY_CDF /= _HOURLY_CDF[:, -1:]

# Relative volume per weekday, Monday first.
_WEEKDAY_VOLUME = np.array([0.92, 1.0, 1.03, 1.08, 1.08, 1.02, 0.85])

# Dates broken taximeter clocks fall back to.
_CLOCK_RESET_DAYS = np.array(["2002-12-31", "2008-12-31", "2009-01-01"], dtype="datetime64[s]")
_LATE_UPLOAD_MAX_DAYS = 35


def _in_month_pickups(month: Month, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Pickup times inside the month, sorted like the TLC files roughly are."""
    day_starts = month.start + np.arange(month.days) * np.timedelta64(_SECONDS_PER_DAY, "s")
    day_weights = _WEEKDAY_VOLUME[weekday_of(day_starts)]
    day_index = rng.choice(month.days, size=rows, p=day_weights / day_weights.sum())
    is_weekend = weekday_of(day_starts[day_index]) >= 5
    draw = rng.random(rows)
    hour = np.where(
        is_weekend,
        np.searchsorted(_HOURLY_CDF[1], draw, side="right"),
        np.searchsorted(_HOURLY_CDF[0], draw, side="right"),
    )
    seconds = (
        day_index.astype(np.int64) * _SECONDS_PER_DAY
        + hour * _SECONDS_PER_HOUR
        + rng.integers(0, _SECONDS_PER_HOUR, size=rows)
    )
    return month.start + np.sort(seconds).astype("timedelta64[s]")


def _clock_reset_pickups(month: Month, count: int, rng: np.random.Generator) -> np.ndarray:
    """Pickups years before the month, at the dates reset taximeter clocks report."""
    candidates = _CLOCK_RESET_DAYS[month.start > _CLOCK_RESET_DAYS]
    if candidates.size:
        days = rng.choice(candidates, size=count)
    else:
        days = month.start - rng.integers(1, 400, size=count).astype("timedelta64[D]")
    pickups: np.ndarray = days + rng.integers(0, _SECONDS_PER_DAY, size=count).astype("timedelta64[s]")
    return pickups


def _late_upload_pickups(month: Month, count: int, rng: np.random.Generator) -> np.ndarray:
    """Pickups days to weeks after the month ends, as late-submitted trips appear."""
    offsets = rng.integers(_SECONDS_PER_HOUR, _LATE_UPLOAD_MAX_DAYS * _SECONDS_PER_DAY, size=count)
    return month.end + offsets.astype("timedelta64[s]")


def sample_pickups(
    month: Month,
    rows: int,
    clock_reset_rows: np.ndarray,
    late_upload_rows: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Pickup times of a month's file, with the given rows carrying stray out-of-month times."""
    pickups = _in_month_pickups(month, rows, rng)
    pickups[clock_reset_rows] = _clock_reset_pickups(month, clock_reset_rows.size, rng)
    pickups[late_upload_rows] = _late_upload_pickups(month, late_upload_rows.size, rng)
    return pickups
