"""Hour-of-day and weekday of naive timestamps, the inputs of demand, speed and surcharges."""

from __future__ import annotations

import numpy as np

_SECONDS_PER_HOUR = 3600
_HOURS_PER_DAY = 24


def hour_of_day(times: np.ndarray) -> np.ndarray:
    seconds = times.astype("datetime64[s]").astype(np.int64)
    return (seconds // _SECONDS_PER_HOUR) % _HOURS_PER_DAY


def weekday_of(times: np.ndarray) -> np.ndarray:
    """Monday=0; the epoch, 1970-01-01, was a Thursday."""
    return (times.astype("datetime64[D]").astype(np.int64) + 3) % 7
